"""What ``print(tensor)`` shows, character for character as PyTorch (recorded reprs):
integers, bools, floats of several magnitudes, nan/inf, 0-d, empty, summarized tensors,
dtypes, grad_fn names, set_printoptions."""

import numpy as np
import pytest
from torch_parity import reference

import minitorch_es as mt

R = np.random.default_rng(0)
DATA = {
    "ints": np.array([1, 2, 300]),
    "negative_ints": np.array([[-1, 20], [3, -400]]),
    "bools": np.array([True, False]),
    "floats": np.float32([1.0, 2.5]),
    "whole_floats": np.float32([1.0, -2.0, 3.0]),
    "big_whole": np.float32([1.0, 1e9]),
    "spread_whole": np.float32([1.0, 2000.0]),
    "small": np.float32([1e-5, 0.5]),
    "spread": np.float32([0.001, 10.5]),
    "huge": np.float32([1.5e10, 2.5]),
    "nan_inf": np.float32([np.nan, np.inf, -np.inf, 1.5]),
    "nan_whole": np.float32([np.nan, 1.0, 2.0]),
    "only_nan_inf": np.float32([np.nan, np.inf]),
    "zeros": np.zeros(3, dtype=np.float32),
    "scalar": np.array(3.14159, dtype=np.float32),
    "scalar_int": np.array(7),
    "scalar_whole": np.array(2.0, dtype=np.float32),
    "empty": np.zeros(0, dtype=np.float32),
    "empty_int": np.zeros(0, dtype=np.int64),
    "empty_2d": np.zeros((2, 0), dtype=np.float32),
    "float64": R.normal(size=(2, 3)),
    "float16": np.float16([1.5, 2.25]),
    "int32": np.int32([1, 2]),
    "uint8": np.uint8([1, 255]),
    "long_row": R.normal(size=30).astype(np.float32),
    "summarized_1d": np.arange(2000, dtype=np.float32),
    "summarized_2d": R.normal(size=(50, 40)).astype(np.float32),
    "summarized_3d": np.arange(24000).reshape(20, 30, 40),
    "three_d": R.normal(size=(2, 2, 3)).astype(np.float32),
    "four_d": np.arange(16).reshape(2, 2, 2, 2),
    "negative_floats": -np.abs(R.normal(size=(3, 3))).astype(np.float32) * 100,
    "mixed_magnitudes": np.float32([[1e-3, 1e3], [5, 6]]),
    "wide_ints": np.arange(40) * 123456,
    "negative_zero": np.float32([-0.0, 1.0]),
    "whole_1e8": np.float32([1e8, 2.0]),
    "zero_and_one": np.float32([0.0, 1.0]),
    "big_int": np.array([10**12, -5]),
    "long_bool": np.array([True, False] * 30),
    "suffix_on_its_own_line": np.ones(9) / 3,
}


def _torch_repr(torch, x):
    return np.array(repr(torch.tensor(x)))


@pytest.mark.parametrize("name", list(DATA))
def test_repr_is_pytorchs(name):
    x = DATA[name]
    want = reference(f"printing/{name}", _torch_repr, x=x)
    assert repr(mt.tensor(x)) == str(want)
    assert str(mt.tensor(x)) == str(want)


OPTIONS = {
    "precision2": {"precision": 2},
    "sci_on": {"sci_mode": True},
    "sci_off": {"sci_mode": False},
    "linewidth40": {"linewidth": 40},
    "threshold5": {"threshold": 5, "edgeitems": 1},
    "short": {"profile": "short"},
    "no_edgeitems": {"edgeitems": 0, "threshold": 3},
    "precision8": {"precision": 8},
}
SAMPLES = ["floats", "spread", "small", "long_row", "float64", "zeros", "ints", "three_d"]


@pytest.mark.parametrize("option", list(OPTIONS))
def test_set_printoptions_as_pytorch(option):
    def compute(torch, **data):
        torch.set_printoptions(**OPTIONS[option])
        try:
            return [np.array(repr(torch.tensor(data[n]))) for n in SAMPLES]
        finally:
            torch.set_printoptions(profile="default", sci_mode=None)

    want = reference(f"printing/options_{option}", compute, **{n: DATA[n] for n in SAMPLES})
    mt.set_printoptions(**OPTIONS[option])
    try:
        got = [repr(mt.tensor(DATA[n])) for n in SAMPLES]
    finally:
        mt.set_printoptions(profile="default")
    assert got == [str(w) for w in want]


def _graph_reprs(lib, x):
    w = lib.tensor(x, requires_grad=True)
    v = lib.tensor(x[:1], requires_grad=True)
    return [
        np.array(repr(t))
        for t in (
            w,
            w * 2,
            w + 1,
            w - v,
            w / 2,
            -w,
            w**2,
            w.exp(),
            w.sum(),
            w.mean(),
            w.sum(0),
            w.mean(1),
            w.max(),
            w.reshape(-1),
            w.permute(1, 0),
            w.double(),
            w.clone(),
            w.abs(),
            w.sqrt(),
            w.log(),
            lib.cat([w, w]),
            lib.stack([w, w]),
            w[0],
            w[1:],
            w[[0, 1]],
            w[..., 0],
            w @ w.T,
            w[0] @ w[0],
            w @ w[0],
            w.clamp(-1, 1),
            lib.where(w > 0, w, v),
            w.var(),
            w.sin(),
            w.expand(2, 2, 2),
            w.norm(),
        )
    ]


def test_grad_fn_names_and_requires_grad_as_pytorch():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    want = reference("printing/grad_fn_names", lambda torch, x: _graph_reprs(torch, x), x=x)
    got = _graph_reprs(mt, x)
    assert [str(w) for w in want] == got


def test_user_functions_print_their_name_with_backward():
    class Twice(mt.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    y = Twice.apply(mt.ones(1, requires_grad=True))
    assert repr(y) == "tensor([2.], grad_fn=<TwiceBackward>)"


def test_parameter_and_size():
    assert repr(mt.nn.Parameter(mt.ones(2))) == (
        "Parameter containing:\ntensor([1., 1.], requires_grad=True)"
    )
    assert repr(mt.zeros(2, 3).shape) == "torch.Size([2, 3])"
    assert str(mt.Size([])) == "torch.Size([])"


def test_format_of_a_scalar_tensor():
    assert f"{mt.tensor(2.5):.2f}" == "2.50" and f"{mt.tensor([1.0])}" == "tensor([1.])"


@pytest.mark.parametrize(
    "kwargs,match",
    [({"profile": "long"}, "profile must be one of"), ({"precision": -1}, "non-negative")],
)
def test_bad_print_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        mt.set_printoptions(**kwargs)
