"""``mt.Generator``: a random-number generator object, as ``torch.Generator``, for the
``generator=`` argument of the sampling functions; ``mt.default_generator`` is the package's
shared generator (the one `mt.manual_seed` seeds)."""

from __future__ import annotations

import json
import secrets

import numpy as np

from . import devices as _device
from . import random as _random
from . import tensor_new


class Generator:
    """An independent random stream (PCG64) that sampling functions draw from when given
    ``generator=g``; seeded with `manual_seed`, saved and restored with `get_state` /
    `set_state`.

        >>> g = mt.Generator().manual_seed(1)
        >>> a = mt.rand(2, generator=g)
        >>> _ = g.manual_seed(1)
        >>> mt.rand(2, generator=g).tolist() == a.tolist()
        True
    """

    def __init__(self, device: str | _device.device = "cpu") -> None:
        self._device = _device.check_device(device)
        self._seed = _random.DEFAULT_SEED
        self._rng = np.random.Generator(np.random.PCG64(self._seed))

    @property
    def device(self) -> _device.device:
        """The device the generator serves (the CPU)."""
        return self._device

    @property
    def rng(self) -> np.random.Generator:
        """The ``numpy.random.Generator`` that draws the numbers."""
        return self._rng

    def manual_seed(self, seed: int) -> Generator:
        """Restart the stream from ``seed`` (a non-negative int); returns the generator."""
        _random.check_seed(seed)
        self._seed = int(seed)
        self._rng.bit_generator.state = np.random.PCG64(self._seed).state
        return self

    def seed(self) -> int:
        """Restart the stream from a fresh non-deterministic seed and return it."""
        value = secrets.randbits(63)
        self.manual_seed(value)
        return value

    def initial_seed(self) -> int:
        """The seed the stream last started from."""
        return self._seed

    def get_state(self) -> object:
        """The stream's state as a uint8 tensor (``set_state`` restores it)."""
        from .tensor import Tensor

        state = dict(self._rng.bit_generator.state, seed=self._seed)
        text = json.dumps(_plain(state), sort_keys=True).encode()
        return Tensor._wrap(np.frombuffer(text, dtype=np.uint8).copy())

    def set_state(self, new_state: object) -> Generator:
        """Restore a state returned by `get_state`; returns the generator."""
        raw = getattr(new_state, "_data", new_state)
        try:
            state = json.loads(np.asarray(raw, dtype=np.uint8).tobytes().decode())
            seed = int(state.pop("seed"))
            self._rng.bit_generator.state = state
        except (ValueError, TypeError, KeyError, UnicodeDecodeError) as e:
            raise RuntimeError(
                f"set_state: expected a state from Generator.get_state() (a uint8 tensor), got "
                f"{type(new_state).__name__} ({type(e).__name__}: {e})"
            ) from None
        self._seed = seed
        return self

    def __repr__(self) -> str:
        return f"<minitorch_es.Generator object (seed {self._seed})>"


class _DefaultGenerator(Generator):
    """The package generator of `minitorch_es.random`, as a `Generator` object."""

    def __init__(self) -> None:
        self._device = _device.CPU

    @property
    def _rng(self) -> np.random.Generator:
        return _random.generator()

    @property
    def _seed(self) -> int:
        return _random.initial_seed()

    @_seed.setter
    def _seed(self, value: int) -> None:
        _random.set_initial_seed(value)

    def manual_seed(self, seed: int) -> Generator:
        """Reseed the package generator (as `mt.manual_seed`); returns it."""
        _random.manual_seed(seed)
        return self


default_generator = _DefaultGenerator()


def manual_seed(seed: int) -> Generator:
    """Reseed the package generator, as ``torch.manual_seed``; returns it (as a `Generator`,
    so it can be passed as ``generator=``).

        >>> _ = mt.manual_seed(0); a = mt.randn(3)
        >>> _ = mt.manual_seed(0); mt.randn(3).tolist() == a.tolist()
        True
    """
    return default_generator.manual_seed(seed)


def rng(generator: Generator | np.random.Generator | None) -> np.random.Generator:
    """The NumPy generator to draw from: ``generator``'s, or the package's."""
    if generator is None:
        return _random.generator()
    if isinstance(generator, np.random.Generator):
        return generator
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be a mt.Generator, got {type(generator).__name__}")
    return generator._rng


def get_rng_state() -> object:
    """The package generator's state as a uint8 tensor (``torch.get_rng_state``)."""
    return default_generator.get_state()


def set_rng_state(new_state: object) -> None:
    """Restore a state from `get_rng_state` (``torch.set_rng_state``)."""
    default_generator.set_state(new_state)


def seed() -> int:
    """Reseed the package generator non-deterministically and return the seed."""
    value = secrets.randbits(63)
    _random.manual_seed(value)
    return value


def _plain(value: object) -> object:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return int(value) if isinstance(value, (np.integer,)) else value


tensor_new.rng = rng  # the Tensor's random fills (normal_ ...) draw through this
