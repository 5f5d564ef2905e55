"""PyTorch's values as recorded fixtures, so every comparison with PyTorch runs in CI.

PyTorch is not a dependency and is not installed in CI. A parity test asks for PyTorch's
answer with `reference`: the inputs it gives and the outputs ``compute(torch, **inputs)``
returns are stored once in ``tests/fixtures/torch/<name>.npz`` by running the suite with
PyTorch installed and ``MINITORCH_ES_RECORD_TORCH=1`` (``python tests/record_torch_fixtures.py``
does that). Later runs read the file: they need no PyTorch, and they fail (never skip) when the
file is missing or when the test's inputs no longer equal the recorded ones, since the
recorded outputs would then answer a different question.

    def test_gelu_matches_torch(rng):
        x = rng.normal(size=(4, 5))
        ref = reference("activations/gelu", lambda torch, x: torch.nn.functional.gelu(
            torch.tensor(x)).numpy(), x=x)
        np.testing.assert_allclose(F.gelu(mt.tensor(x))._data, ref, rtol=1e-12)

``compute`` returns an array, a number, or a (possibly nested) dict/list/tuple of them; the
same structure comes back. Keep inputs small: the files live in the repository.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np

FIXTURES = Path(__file__).parent / "fixtures" / "torch"
RECORD = os.environ.get("MINITORCH_ES_RECORD_TORCH") == "1"
_NAME = re.compile(r"^[a-z0-9_]+(/[a-z0-9_.\-]+)*$")


class StaleFixture(AssertionError):
    """The recorded inputs differ from the test's, or the fixture file is missing."""


def reference(name: str, compute: Callable, **inputs):
    """PyTorch's outputs for ``inputs``: recorded now (RECORD mode) or read from the fixture."""
    if not _NAME.match(name):
        raise ValueError(f"fixture name {name!r}: use lowercase path parts like 'ops/exp'")
    path = FIXTURES / f"{name}.npz"
    arrays = {f"in/{k}": np.asarray(v) for k, v in inputs.items()}
    if RECORD:
        import torch  # only the recorder needs it

        out = compute(torch, **inputs)
        flat: dict = {}
        _flatten(out, "out", flat)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, **arrays, **flat)
        return _unflatten(flat, "out")
    if not path.exists():
        raise StaleFixture(
            f"no PyTorch fixture {path.relative_to(FIXTURES.parent.parent)}: record it with "
            f"PyTorch installed: python tests/record_torch_fixtures.py"
        )
    with np.load(path, allow_pickle=False) as data:
        stored = dict(data)
    for key, value in arrays.items():
        old = stored.get(key)
        same = old is not None and old.shape == value.shape and old.dtype == value.dtype
        if not same or not np.array_equal(old, value, equal_nan=value.dtype.kind in "fc"):
            raise StaleFixture(
                f"fixture {name}: input {key[3:]!r} differs from the recorded one; re-record "
                f"with python tests/record_torch_fixtures.py"
            )
    extra = {k for k in stored if k.startswith("in/")} - set(arrays)
    if extra:
        raise StaleFixture(f"fixture {name}: recorded inputs {sorted(extra)} are not given now")
    return _unflatten({k: v for k, v in stored.items() if not k.startswith("in/")}, "out")


def _to_numpy(value):
    if hasattr(value, "detach"):  # a torch.Tensor
        return value.detach().cpu().numpy()
    return np.asarray(value)


def _flatten(value, prefix: str, out: dict) -> None:
    if isinstance(value, dict):
        out[f"{prefix}#dict"] = np.array(sorted(map(str, value)))
        for k, v in value.items():
            _flatten(v, f"{prefix}/{k}", out)
    elif isinstance(value, (list, tuple)):
        out[f"{prefix}#list"] = np.array(len(value))
        for i, v in enumerate(value):
            _flatten(v, f"{prefix}/{i}", out)
    elif value is None:
        out[f"{prefix}#none"] = np.array(0)
    else:
        out[prefix] = _to_numpy(value)


def _unflatten(flat: dict, prefix: str):
    if f"{prefix}#dict" in flat:
        return {str(k): _unflatten(flat, f"{prefix}/{k}") for k in flat[f"{prefix}#dict"]}
    if f"{prefix}#list" in flat:
        n = int(flat[f"{prefix}#list"])
        return [_unflatten(flat, f"{prefix}/{i}") for i in range(n)]
    if f"{prefix}#none" in flat:
        return None
    return flat[prefix]
