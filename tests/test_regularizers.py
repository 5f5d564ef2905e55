"""Regularizers (L1, L2, L1L2, OrthogonalRegularizer) and constraints, with Keras semantics."""

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.autograd import gradcheck

R = mt.regularizers


def away_from_zero(rng, *shape):
    x = rng.uniform(0.2, 1.5, size=shape) * rng.choice([-1.0, 1.0], size=shape)
    return mt.tensor(x, dtype=mt.float64, requires_grad=True)


# ----------------------------------------------------------------------- penalties
@pytest.mark.parametrize(
    "make, l1, l2",
    [
        (lambda: R.L1(), 0.01, 0.0),
        (lambda: R.L1(0.3), 0.3, 0.0),
        (lambda: R.L2(), 0.0, 0.01),
        (lambda: R.L2(l2=0.2), 0.0, 0.2),
        (lambda: R.L1L2(), 0.0, 0.0),
        (lambda: R.L1L2(l1=0.1, l2=0.05), 0.1, 0.05),
        (lambda: R.l1(0.5), 0.5, 0.0),
        (lambda: R.l2(), 0.0, 0.01),
        (lambda: R.l1_l2(l2=0.4), 0.0, 0.4),
        (lambda: R.L1L2(l1=2), 2.0, 0.0),
    ],
)
@pytest.mark.parametrize("dtype", [mt.float32, mt.float64])
def test_penalty_matches_numpy(make, l1, l2, dtype, rng):
    x = rng.standard_normal((6, 5))
    penalty = make()(mt.tensor(x, dtype=dtype))
    assert penalty.shape == () and penalty.dtype == dtype
    expected = l1 * np.abs(x).sum() + l2 * (x**2).sum()
    assert float(penalty) == pytest.approx(expected, rel=1e-5 if dtype == mt.float32 else 1e-12)


@pytest.mark.parametrize("reg", [R.L1(0.3), R.L2(0.2), R.L1L2(0.1, 0.7)])
def test_gradients(reg, rng):
    assert gradcheck(reg, [away_from_zero(rng, 4, 3)])


def test_l2_gradient_closed_form(rng):
    x = away_from_zero(rng, 3, 3)
    R.L1L2(l1=0.1, l2=0.5)(x).backward()
    np.testing.assert_allclose(x.grad, 0.1 * np.sign(x._data) + 2 * 0.5 * x._data, rtol=1e-12)


def test_zero_factors_give_a_zero_scalar_in_the_graph(rng):
    x = away_from_zero(rng, 2, 2)
    penalty = R.L1L2()(x)
    assert float(penalty) == 0.0
    penalty.backward()
    np.testing.assert_array_equal(x.grad, np.zeros((2, 2)))


def test_thesis_one_liner_builds_an_l2():
    reg = mt.regularizers.l2(0.001)
    assert type(reg) is R.L2 and reg.l2 == 0.001 and reg.get_config() == {"l2": 0.001}
    assert isinstance(reg, mt.regularizers.Regularizer)
    assert repr(reg) == "L2(l2=0.001)"


def test_factories_defaults():
    assert R.L2(None).l2 == 0.01 and R.L1(None).l1 == 0.01 and R.L1L2(None, 0.1).l1 == 0.0
    assert R.l1().get_config() == {"l1": 0.01} and R.l2().get_config() == {"l2": 0.01}
    assert R.l1_l2().get_config() == {"l1": 0.0, "l2": 0.0}
    assert mt.registry.create("regularizer", "l2").l2 == 0.01
    assert mt.registry.create("regularizer", "l1_l2", l1=0.2).l1 == 0.2


# ------------------------------------------------------------------- orthogonal
def orthogonal_reference(w, factor, mode):
    v = w if mode == "rows" else w.T
    v = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-7)
    product = np.abs(v @ v.T)
    n = v.shape[0]
    return factor * 0.5 * (product.sum() - np.trace(product)) / (n * (n - 1) / 2)


@pytest.mark.parametrize("mode", ["rows", "columns"])
def test_orthogonal_regularizer(mode, rng):
    w = rng.standard_normal((4, 6))
    got = R.OrthogonalRegularizer(0.3, mode=mode)(mt.tensor(w, dtype=mt.float64))
    assert float(got) == pytest.approx(orthogonal_reference(w, 0.3, mode), rel=1e-12)
    assert gradcheck(
        R.OrthogonalRegularizer(0.3, mode=mode),
        [mt.tensor(w, dtype=mt.float64, requires_grad=True)],
    )


def test_orthogonal_regularizer_is_zero_on_orthogonal_rows():
    w = mt.nn.init.orthogonal_(mt.zeros(3, 5, dtype=mt.float64))
    assert float(R.OrthogonalRegularizer(1.0)(w)) == pytest.approx(0.0, abs=1e-12)
    assert float(R.OrthogonalRegularizer(1.0)(mt.ones(1, 4))) == 0.0  # no pairs


# ------------------------------------------------------------------ constraints
def norm_reference(w, axis):
    return np.sqrt((w**2).sum(axis=axis, keepdims=True))


@pytest.mark.parametrize("axis", [0, 1, (1, 2, 3), [0, 1]])
def test_norm_constraints_match_keras_formulas(axis, rng):
    shape = (4, 3) if axis in (0, 1) else (4, 3, 2, 2)
    w = rng.standard_normal(shape) * 2
    n = norm_reference(w, tuple(axis) if isinstance(axis, list) else axis)
    cases = [
        (R.MaxNorm(1.5, axis=axis), w * np.clip(n, 0, 1.5) / (1e-7 + n)),
        (R.UnitNorm(axis=axis), w / (1e-7 + n)),
        (
            R.MinMaxNorm(1.0, 2.0, rate=0.5, axis=axis),
            w * (0.5 * np.clip(n, 1.0, 2.0) + 0.5 * n) / (1e-7 + n),
        ),
    ]
    for constraint, expected in cases:
        p = mt.nn.Parameter(mt.tensor(w, dtype=mt.float64))
        array = p._data
        assert constraint(p) is p and p._data is array
        np.testing.assert_allclose(array, expected, rtol=1e-12)


def test_default_axis_constrains_each_output_unit_as_keras():
    lin = np.full((3, 4), 2.0)  # Linear.weight (out, in): each row has norm 4
    R.MaxNorm(max_value=1.0)(lin)
    np.testing.assert_allclose(np.linalg.norm(lin, axis=1), 1.0, rtol=1e-6)
    conv = np.full((2, 3, 2, 2), 1.0)  # Conv2d.weight (out, in, kh, kw): norm sqrt(12) per filter
    R.UnitNorm()(conv)
    np.testing.assert_allclose(np.sqrt((conv**2).sum(axis=(1, 2, 3))), 1.0, rtol=1e-6)


def test_max_norm_axis_meaning_on_linear_weight():
    # Linear.weight is (out, in); axis=1 bounds each output unit's incoming weights.
    w = mt.nn.Parameter(mt.tensor([[3.0, 4.0], [0.3, 0.4]]))
    R.MaxNorm(max_value=1.0, axis=1)(w)
    np.testing.assert_allclose(np.linalg.norm(w._data, axis=1), [1.0, 0.5], rtol=1e-6)
    assert w._data.dtype == np.float32


def test_non_neg_and_ndarray_input():
    w = np.array([[-1.0, 2.0], [0.5, -0.0]], dtype=np.float32)
    assert R.NonNeg()(w) is w
    np.testing.assert_array_equal(w, [[0.0, 2.0], [0.5, 0.0]])
    assert w.dtype == np.float32


def test_constraint_after_an_optimizer_step_keeps_the_arena_view():
    w = mt.nn.Parameter(mt.tensor([[-1.0, 2.0]]))
    mt.optim.Optimizer([w], {"lr": 0.1})
    view = w._data
    R.NonNeg()(w)
    assert np.shares_memory(w._data, view) and view.tolist() == [[0.0, 2.0]]


def test_zero_slice_stays_finite():
    w = np.zeros((2, 3))
    R.UnitNorm(axis=1)(w)
    R.MaxNorm(axis=1)(w)
    assert np.all(w == 0)


# ------------------------------------------------------------------ registry, config
@pytest.mark.parametrize(
    "kind, made",
    [
        ("regularizer", R.L1(0.2)),
        ("regularizer", R.L2(0.05)),
        ("regularizer", R.L1L2(0.1, 0.2)),
        ("regularizer", R.OrthogonalRegularizer(0.5, "columns")),
        ("constraint", R.MaxNorm(3, axis=(1, 2))),
        ("constraint", R.NonNeg()),
        ("constraint", R.UnitNorm(axis=1)),
        ("constraint", R.MinMaxNorm(0.5, 2.0, 0.3, 1)),
    ],
)
def test_config_round_trip(kind, made, rng):
    entry = mt.registry.entry_of(made)
    assert entry.kind == kind
    rebuilt = mt.registry.create(kind, {"name": entry.name, "config": made.get_config()})
    assert type(rebuilt) is type(made) and rebuilt.get_config() == made.get_config()
    assert repr(rebuilt).startswith(type(made).__name__ + "(")
    if kind == "regularizer":
        w = rng.standard_normal((3, 4))
        assert float(rebuilt(mt.tensor(w))) == pytest.approx(float(made(mt.tensor(w))))
    else:
        w = rng.standard_normal((3, 3, 2))
        np.testing.assert_array_equal(rebuilt(w.copy()), made(w.copy()))


@pytest.mark.parametrize(
    "kind, alias, cls",
    [
        ("regularizer", "l1", "L1"),
        ("regularizer", "l2", "L2"),
        ("regularizer", "l1_l2", "L1L2"),
        ("regularizer", "orthogonal_regularizer", "OrthogonalRegularizer"),
        ("constraint", "max_norm", "MaxNorm"),
        ("constraint", "non_neg", "NonNeg"),
        ("constraint", "unit_norm", "UnitNorm"),
        ("constraint", "min_max_norm", "MinMaxNorm"),
    ],
)
def test_aliases(kind, alias, cls):
    assert type(mt.registry.create(kind, alias)) is getattr(mt.regularizers, cls)


# -------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "make, name",
    [
        (lambda: R.L1(-0.1), "l1"),
        (lambda: R.L2("0.1"), "l2"),
        (lambda: R.L1L2(l1=float("nan")), "l1"),
        (lambda: R.L1L2(l2=True), "l2"),
        (lambda: R.l2(float("inf")), "l2"),
        (lambda: R.OrthogonalRegularizer(-1), "factor"),
        (lambda: R.MaxNorm(-2), "max_value"),
        (lambda: R.MinMaxNorm(rate="x"), "rate"),
        (lambda: R.MinMaxNorm(min_value=-1), "min_value"),
    ],
)
def test_invalid_factor_names_the_argument(make, name):
    with pytest.raises(ValueError, match=f"argument {name}: expected a non-negative float"):
        make()


def test_other_errors():
    with pytest.raises(ValueError, match="expected 'rows' or 'columns', got mode='cols'"):
        R.OrthogonalRegularizer(mode="cols")
    with pytest.raises(ValueError, match=r"rank 2, got shape torch.Size\(\[2, 2, 2\]\)"):
        R.OrthogonalRegularizer()(mt.zeros(2, 2, 2))
    with pytest.raises(ValueError, match="max_value must be >= min_value"):
        R.MinMaxNorm(min_value=2.0, max_value=1.0)
    with pytest.raises(ValueError, match="axis must be an int or a non-empty list of ints"):
        R.UnitNorm(axis="rows")
    with pytest.raises(ValueError, match="axis=3 does not fit a weight of shape \\(2, 2\\)"):
        R.MaxNorm(axis=3)(np.ones((2, 2)))
    with pytest.raises(TypeError, match="NonNeg: expected a floating-point Tensor.*got list"):
        R.NonNeg()([1.0, -1.0])
    with pytest.raises(TypeError, match="L2: x must be a Tensor, got ndarray"):
        R.L2()(np.ones(3))


# --------------------------------------------------------------- module integration
class Tiny(mt.nn.Module):
    """A core-only layer with a regularized parameter and an activity regularizer."""

    def __init__(self):
        super().__init__()
        self.weight = mt.nn.Parameter(mt.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]))
        self.weight.regularizer = R.L2(0.1)
        self.activity_regularizer = R.L1(0.01)

    def forward(self, x):
        out = x @ self.weight.T
        mt.regularizers.apply_activity_regularizer(self, out)
        return out


def test_regularization_loss_of_a_module(rng):
    model = Tiny()
    x = rng.standard_normal((4, 3)).astype(np.float32)
    out = model(mt.tensor(x))
    w = model.weight._data.astype(np.float64)
    activity = np.abs(x.astype(np.float64) @ w.T)
    expected = 0.1 * (w**2).sum() + 0.01 * activity.sum() / 4
    loss = model.regularization_loss()
    assert loss.dtype == np.float32 and float(loss) == pytest.approx(expected, rel=1e-5)
    loss.backward()  # only the activity penalty backpropagates ...
    activity_grad = 0.01 * np.sign(x @ w.T).T @ x / 4
    np.testing.assert_allclose(model.weight.grad, activity_grad, rtol=1e-5)
    mt.optim.SGD(model.parameters(), lr=0.1).step()  # ... the step adds 2 * 0.1 * w, once
    np.testing.assert_allclose(model.weight.data, w - 0.1 * (activity_grad + 0.2 * w), rtol=1e-5)
    assert out.shape == (4, 2)


def test_regularization_loss_follows_every_change_of_the_model(rng):
    # regularization_loss caches where the penalties are: each edit below must be seen.
    model = mt.nn.Sequential(mt.nn.Linear(3, 2))
    x = mt.tensor(rng.standard_normal((4, 3)).astype(np.float32))

    def weights(layer):
        return layer.weight._data.astype(np.float64)

    model(x)
    assert float(model.regularization_loss()) == 0.0
    model[0].weight.regularizer = R.L2(0.1)  # a parameter's rule
    expected = 0.1 * (weights(model[0]) ** 2).sum()
    assert float(model.regularization_loss()) == pytest.approx(expected, rel=1e-5)
    extra = mt.nn.Linear(2, 2, weight_regularizer=R.L1(0.2))
    model.append(extra)  # a new layer
    with_extra = expected + 0.2 * np.abs(weights(extra)).sum()
    assert float(model.regularization_loss()) == pytest.approx(with_extra, rel=1e-5)
    model.pop()
    assert float(model.regularization_loss()) == pytest.approx(expected, rel=1e-5)
    model._modules["extra"] = extra  # written into the table directly, as some PyTorch code does
    assert float(model.regularization_loss()) == pytest.approx(with_extra, rel=1e-5)
    del model._modules["extra"]
    model[0].weight = mt.nn.Parameter(model[0].weight._data.copy())  # no regularizer
    assert float(model.regularization_loss()) == 0.0
    model[0].activity_regularizer = R.L1(0.01)  # an activity penalty from the next forward
    assert float(model.regularization_loss()) == 0.0
    out = model(x)._data.astype(np.float64)
    expected = 0.01 * np.abs(out).sum() / 4
    assert float(model.regularization_loss()) == pytest.approx(expected, rel=1e-5)
