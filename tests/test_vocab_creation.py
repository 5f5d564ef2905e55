"""Factories: deterministic ones against PyTorch (values and dtypes), random ones for
shape, dtype, range, distribution and reproducibility with ``mt.Generator``; arguments."""

import numpy as np
import pytest
from op_parity import check_against_torch

import minitorch_es as mt

X = np.random.default_rng(2).standard_normal((2, 3))

FACTORIES = {
    "zeros": lambda lib, x: lib.zeros(2, 3),
    "zeros_size_kw": lambda lib, x: lib.zeros(size=(2,), dtype=lib.int32),
    "ones_tuple": lambda lib, x: lib.ones((2, 1), dtype=lib.float64),
    "empty_shape": lambda lib, x: lib.empty(0, 3).shape,
    "full": lambda lib, x: lib.full((2,), 3),
    "full_float": lambda lib, x: lib.full((2, 2), 1.5),
    "full_bool": lambda lib, x: lib.full((2,), True),
    "full_dtype": lambda lib, x: lib.full((2,), 1.7, dtype=lib.int64),
    "zeros_like": lambda lib, x: lib.zeros_like(x),
    "ones_like_dtype": lambda lib, x: lib.ones_like(x, dtype=lib.int16),
    "full_like": lambda lib, x: lib.full_like(x, 7),
    "empty_like_shape": lambda lib, x: lib.empty_like(x).shape,
    "eye": lambda lib, x: lib.eye(3),
    "eye_rect_int": lambda lib, x: lib.eye(2, 3, dtype=lib.int64),
    "arange": lambda lib, x: lib.arange(5),
    "arange_float": lambda lib, x: lib.arange(0, 1, 0.25),
    "arange_float_end": lambda lib, x: lib.arange(0.1, 0.4, 0.1),
    "arange_negative": lambda lib, x: lib.arange(5, 0, -2),
    "arange_float_arg": lambda lib, x: lib.arange(5.0),
    "arange_dtype": lambda lib, x: lib.arange(1, 4, dtype=lib.float64),
    "linspace": lambda lib, x: lib.linspace(0, 1, 5),
    "linspace_one": lambda lib, x: lib.linspace(-2, 2, 1),
    "logspace": lambda lib, x: lib.logspace(0, 2, 3),
    "logspace_base2": lambda lib, x: lib.logspace(0, 3, 4, base=2, dtype=lib.float64),
    "tensor_mixed": lambda lib, x: lib.tensor([1, 2.5]),
    "tensor_bool": lambda lib, x: lib.tensor(True),
    "tensor_empty": lambda lib, x: lib.tensor([]),
    "tensor_nested_empty": lambda lib, x: lib.tensor([[]]),
    "tensor_numpy_scalar": lambda lib, x: lib.tensor(np.float64(2.5)),
    "as_tensor_dtype": lambda lib, x: lib.as_tensor([1, 2], dtype=lib.float32),
    "new_zeros": lambda lib, x: x.new_zeros(3),
    "new_ones": lambda lib, x: x.new_ones((1, 2)),
    "new_full": lambda lib, x: x.new_full((2,), 7),
    "new_tensor": lambda lib, x: x.new_tensor([1, 2]),
    "new_tensor_int": lambda lib, x: lib.tensor([1, 2]).new_tensor([1.5]),
    "new_empty_shape": lambda lib, x: x.new_empty(2, 2).shape,
}


@pytest.mark.parametrize("name", list(FACTORIES))
def test_factories_as_pytorch(name):
    check_against_torch(f"creation_{name}", FACTORIES[name], [X], grad=False)


def test_float_default_dtype_applies():
    mt.set_default_dtype(mt.float64)
    assert mt.zeros(1).dtype == mt.arange(0.5).dtype == mt.rand(1).dtype == mt.float64


def test_factories_take_device_and_requires_grad():
    for make in (
        lambda **kw: mt.zeros(2, **kw),
        lambda **kw: mt.ones(2, **kw),
        lambda **kw: mt.empty(2, **kw),
        lambda **kw: mt.full((2,), 1.0, **kw),
        lambda **kw: mt.eye(2, **kw),
        lambda **kw: mt.arange(2.0, **kw),
        lambda **kw: mt.linspace(0, 1, 2, **kw),
        lambda **kw: mt.logspace(0, 1, 2, **kw),
        lambda **kw: mt.rand(2, **kw),
        lambda **kw: mt.randn(2, **kw),
        lambda **kw: mt.zeros_like(mt.ones(2), **kw),
        lambda **kw: mt.rand_like(mt.ones(2), **kw),
        lambda **kw: mt.ones(1).new_zeros(2, **kw),
        lambda **kw: mt.tensor([1.0], **kw),
    ):
        t = make(device="cpu", requires_grad=True)
        assert t.requires_grad and t.is_leaf and t.device == mt.device("cpu")
        with pytest.raises(RuntimeError, match="no CUDA backend is installed"):
            make(device="cuda")


def test_out_argument_of_factories():
    out = mt.empty(0)
    assert mt.arange(3, out=out) is out and out.tolist() == [0.0, 1.0, 2.0]
    res = mt.zeros(2, out=mt.ones(2))
    assert res.tolist() == [0.0, 0.0]


# ------------------------------------------------------------------------------- random
def test_random_factories_shapes_dtypes_and_ranges():
    assert mt.rand(3, 2).shape == (3, 2) and mt.randn((4,)).dtype == mt.float32
    r = mt.randint(3, 7, (1000,))
    assert r.dtype == mt.int64 and r.min().item() == 3 and r.max().item() == 6
    assert mt.randint(5, size=(2, 3)).shape == (2, 3)
    assert sorted(mt.randperm(6).tolist()) == list(range(6)) and mt.randperm(3).dtype == mt.int64
    assert mt.randn_like(mt.zeros(2, dtype=mt.float64)).dtype == mt.float64
    assert mt.randint_like(mt.zeros(3), 5).dtype == mt.float32
    u = mt.rand(20000, dtype=mt.float64)
    assert 0 <= u.min().item() and u.max().item() < 1 and abs(u.mean().item() - 0.5) < 0.01
    n = mt.normal(2.0, 3.0, size=(20000,))
    assert abs(n.mean().item() - 2) < 0.1 and abs(n.std().item() - 3) < 0.1
    m = mt.normal(mt.tensor([0.0, 100.0]), 1e-3)
    assert np.allclose(m.tolist(), [0, 100], atol=0.01)
    assert mt.normal(0.0, mt.ones(3)).shape == (3,)


def test_bernoulli_multinomial_poisson():
    b = mt.bernoulli(mt.tensor([0.0, 1.0, 0.5]).expand(1000, 3))
    assert b[:, 0].sum().item() == 0 and b[:, 1].sum().item() == 1000
    assert 400 < b[:, 2].sum().item() < 600 and b.dtype == mt.float32
    draws = mt.multinomial(mt.tensor([0.0, 1.0, 3.0]), 4000, replacement=True)
    counts = np.bincount(draws.numpy(), minlength=3)
    assert counts[0] == 0 and 0.7 < counts[2] / 4000 < 0.8
    picks = mt.multinomial(mt.tensor([[1.0, 1.0, 0.0, 2.0], [0.0, 1.0, 1.0, 1.0]]), 3)
    assert picks.shape == (2, 3) and all(len(set(row)) == 3 for row in picks.tolist())
    assert 2 not in picks[0].tolist() and 0 not in picks[1].tolist()
    p = mt.poisson(mt.full((20000,), 4.0))
    assert abs(p.mean().item() - 4) < 0.1 and p.dtype == mt.float32


def test_generator_streams_are_independent_and_reproducible():
    g = mt.Generator().manual_seed(7)
    assert g.initial_seed() == 7 and g.device == mt.device("cpu")
    a = mt.randn(3, generator=g)
    state = g.get_state()
    b = mt.rand(2, generator=g)
    g.set_state(state)
    assert mt.rand(2, generator=g).tolist() == b.tolist()
    g.manual_seed(7)
    assert mt.randn(3, generator=g).tolist() == a.tolist()
    mt.manual_seed(0)
    first = mt.randn(2)
    mt.manual_seed(0)
    mt.randn(5, generator=mt.Generator().manual_seed(1))  # does not move the global stream
    assert mt.randn(2).tolist() == first.tolist()
    assert state.dtype == mt.uint8 and isinstance(g.seed(), int)


def test_default_generator_is_the_package_stream():
    assert mt.manual_seed(3) is mt.default_generator and mt.initial_seed() == 3
    state = mt.get_rng_state()
    a = mt.randn(4)
    mt.set_rng_state(state)
    assert mt.randn(4).tolist() == a.tolist() and mt.default_generator.initial_seed() == 3
    assert mt.randn(2, generator=mt.default_generator).shape == (2,)
    assert isinstance(mt.seed(), int)


def test_random_fills_in_place():
    g = mt.Generator().manual_seed(0)
    x = mt.empty(5000).normal_(1.0, 2.0, generator=g)
    assert abs(x.mean().item() - 1) < 0.1 and abs(x.std().item() - 2) < 0.1
    u = mt.empty(5000).uniform_(-2, 3)
    assert -2 <= u.min().item() and u.max().item() < 3
    assert mt.empty(10).uniform_(**{"from": 5, "to": 6}).min().item() >= 5
    r = mt.zeros(1000, dtype=mt.int64).random_(4)
    assert set(r.tolist()) == {0, 1, 2, 3}
    assert set(mt.zeros(500).random_(2, 4).tolist()) == {2.0, 3.0}
    assert mt.zeros(10, dtype=mt.uint8).random_().max().item() <= 255
    assert set(mt.zeros(100).bernoulli_(0.5).tolist()) == {0.0, 1.0}
    e = mt.empty(20000).exponential_(2.0)
    assert e.min().item() >= 0 and abs(e.mean().item() - 0.5) < 0.02
    v = mt.zeros(3)
    version = v._version[0]
    v.normal_()
    assert v._version[0] == version + 1
    w = mt.zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w.normal_()
    with mt.no_grad():
        w.uniform_()


@pytest.mark.parametrize(
    "call,error,match",
    [
        (lambda: mt.zeros(-1), RuntimeError, "must be non-negative"),
        (lambda: mt.zeros(2.5), TypeError, "integers"),
        (lambda: mt.zeros(2, sizes=3), TypeError, "unexpected keyword"),
        (lambda: mt.zeros(2, size=(2,)), TypeError, "both positionally and as size="),
        (lambda: mt.arange(0, 10, -1), RuntimeError, "inconsistent with step sign"),
        (lambda: mt.arange(0, 10, 0), RuntimeError, "step must be nonzero"),
        (lambda: mt.linspace(0, 1, -1), RuntimeError, "non-negative"),
        (lambda: mt.logspace(0, 1, -1), RuntimeError, "non-negative"),
        (lambda: mt.eye(-1), RuntimeError, "non-negative"),
        (lambda: mt.randint(5, 2, (2,)), RuntimeError, "less than 'to'"),
        (lambda: mt.randint(5), TypeError, "missing the size"),
        (lambda: mt.randint(0, 5, 2), TypeError, "tuple of ints"),
        (lambda: mt.randperm(-1), RuntimeError, "non-negative"),
        (lambda: mt.randn(2, dtype=mt.int64), TypeError, "floating point dtype"),
        (lambda: mt.normal(0.0, 1.0), TypeError, "give the size"),
        (lambda: mt.normal(mt.zeros(2), -1.0), RuntimeError, "std >= 0.0"),
        (lambda: mt.bernoulli(mt.tensor([1.5])), RuntimeError, r"\[0, 1\]"),
        (lambda: mt.poisson(mt.tensor([-1.0])), RuntimeError, "non-negative"),
        (lambda: mt.multinomial(mt.tensor([1.0, -1.0]), 1), RuntimeError, "element < 0"),
        (lambda: mt.multinomial(mt.tensor([0.0, 0.0]), 1), RuntimeError, "sum of probabilities"),
        (lambda: mt.multinomial(mt.tensor([0.0, 1.0]), 2), RuntimeError, "without replacement"),
        (lambda: mt.multinomial(mt.ones(1, 1, 2), 1), RuntimeError, "1 or 2 dim"),
        (lambda: mt.rand(2, generator=3), TypeError, "mt.Generator"),
        (lambda: mt.Generator().manual_seed(-1), ValueError, "seed must be an int >= 0"),
        (lambda: mt.Generator().set_state(mt.zeros(3)), RuntimeError, "get_state"),
        (lambda: mt.Generator("cuda"), RuntimeError, "not available"),
        (lambda: mt.zeros(2).normal_(0, -1), RuntimeError, "std >= 0.0"),
        (lambda: mt.zeros(2).uniform_(2, 1), RuntimeError, "from=2 > to=1"),
        (lambda: mt.zeros(2).uniform_(0, 1, frm=0), TypeError, "unexpected keyword"),
        (lambda: mt.zeros(2).random_(3, 3), RuntimeError, "less than 'to'"),
        (lambda: mt.zeros(2).bernoulli_(2.0), RuntimeError, r"\[0, 1\]"),
        (lambda: mt.zeros(2).exponential_(0), RuntimeError, "lambda > 0.0"),
        (lambda: mt.zeros_like([1.0]), TypeError, "expected a Tensor"),
    ],
)
def test_errors_say_what_was_expected(call, error, match):
    with pytest.raises(error, match=match):
        call()
