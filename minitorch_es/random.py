"""The package's one seeded random generator.

Every random thing in minitorch_es (initializers, dropout, shuffling, ``randn``) draws from
`generator`, so ``manual_seed`` makes a whole run reproducible and a checkpoint can save
and restore the stream with `get_state` / `set_state`.
"""

from __future__ import annotations

import numpy as np

from .validation import check_int

# Like PyTorch, a fresh process starts from a fixed seed, so an unseeded script repeats itself.
DEFAULT_SEED = 67280421310721

_generator = np.random.Generator(np.random.PCG64(DEFAULT_SEED))
_initial_seed = DEFAULT_SEED


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the package generator (``torch.manual_seed``). Returns the generator.

    The same seed gives the same draws:

        >>> _ = mt.manual_seed(0); a = mt.randn(3)
        >>> _ = mt.manual_seed(0); mt.randn(3).tolist() == a.tolist()
        True
    """
    global _initial_seed
    _initial_seed = check_seed(seed)
    _generator.bit_generator.state = np.random.PCG64(_initial_seed).state
    return _generator


def check_seed(seed: int) -> int:
    """``seed`` as an int, or an error unless it is a non-negative int (a bool is not)."""
    return check_int(seed, "seed", "manual_seed", low=0)


def set_initial_seed(seed: int) -> None:
    """Record ``seed`` as the stream's seed without restarting it (a restored state)."""
    global _initial_seed
    _initial_seed = int(seed)


def initial_seed() -> int:
    """The seed last given to `manual_seed` (or the default one)."""
    return _initial_seed


def generator() -> np.random.Generator:
    """The shared ``numpy.random.Generator`` every random op of the package draws from."""
    return _generator


def get_state() -> dict:
    """A JSON-serialisable copy of the generator state."""
    state = _generator.bit_generator.state
    return {
        "bit_generator": state["bit_generator"],
        "state": {k: int(v) for k, v in state["state"].items()},
        "has_uint32": int(state["has_uint32"]),
        "uinteger": int(state["uinteger"]),
        "seed": _initial_seed,
    }


def set_state(state: dict) -> None:
    """Restore a state returned by `get_state`."""
    global _initial_seed
    if not isinstance(state, dict) or state.get("bit_generator") != "PCG64" or "state" not in state:
        got = state.get("bit_generator") if isinstance(state, dict) else type(state).__name__
        raise ValueError(
            f"set_state expected a dict from minitorch_es.random.get_state() with "
            f"bit_generator 'PCG64', got {got!r}"
        )
    try:
        seed = int(state.get("seed", _initial_seed))
        _generator.bit_generator.state = {
            "bit_generator": "PCG64",
            "state": {"state": int(state["state"]["state"]), "inc": int(state["state"]["inc"])},
            "has_uint32": int(state.get("has_uint32", 0)),
            "uinteger": int(state.get("uinteger", 0)),
        }
    # NumPy's own errors (KeyError 'inc', OverflowError ...) do not say what was expected.
    except (KeyError, TypeError, ValueError, OverflowError) as e:
        raise ValueError(
            f"set_state: malformed state {state!r} ({type(e).__name__}: {e}); expected the dict "
            f"returned by minitorch_es.random.get_state()"
        ) from None
    _initial_seed = seed
