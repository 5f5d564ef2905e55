"""Initializers: ``mt.nn.init`` functions (PyTorch) and the registry's initializer classes."""

import math

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.registry import RegistryError

init = mt.nn.init
N = 200_000  # elements in a "large draw": means and stds are then known to ~0.2 %


def big(dtype=mt.float32, shape=(400, 500)):
    return mt.nn.Parameter(mt.zeros(*shape, dtype=dtype))


def assert_moments(x, mean, std, n=None):
    """Sample mean/std within 6 standard errors of the expected ones."""
    x = np.asarray(x, dtype=np.float64).ravel()
    n = n or x.size
    assert abs(x.mean() - mean) < 6 * std / math.sqrt(n)
    assert abs(x.std() - std) < 6 * std / math.sqrt(2 * n) * 1.5


# --------------------------------------------------------------------- fans and gains
@pytest.mark.parametrize(
    "shape, fans",
    [
        ((7, 3), (3, 7)),  # Linear(3, 7).weight
        ((16, 3, 5, 5), (75, 400)),  # Conv2d(3, 16, 5): 3*25, 16*25
        ((8, 2, 3), (6, 24)),  # Conv1d(4, 8, 3, groups=2): in/groups = 2
        ((4, 6, 2, 3, 1), (36, 24)),  # Conv3d
    ],
)
def test_fan_in_and_fan_out_follow_pytorch_layout(shape, fans):
    assert init._calculate_fan_in_and_fan_out(mt.zeros(*shape)) == fans


def test_fan_needs_two_dimensions():
    with pytest.raises(ValueError, match="fewer than 2 dimensions.*\\(5,\\)"):
        init._calculate_fan_in_and_fan_out(mt.zeros(5))
    for fn in (
        init.xavier_uniform_,
        init.xavier_normal_,
        init.kaiming_uniform_,
        init.kaiming_normal_,
        init.orthogonal_,
    ):
        with pytest.raises(ValueError, match="dimensions"):
            fn(mt.zeros(5))
    for name in ("he_normal", "glorot_uniform", "lecun_uniform"):
        with pytest.raises(ValueError, match="fewer than 2"):
            mt.registry.create("initializer", name)(mt.zeros(5))


@pytest.mark.parametrize(
    "name, param, gain",
    [
        ("linear", None, 1.0),
        ("conv1d", None, 1.0),
        ("conv2d", None, 1.0),
        ("conv3d", None, 1.0),
        ("conv_transpose1d", None, 1.0),
        ("conv_transpose2d", None, 1.0),
        ("conv_transpose3d", None, 1.0),
        ("sigmoid", None, 1.0),
        ("tanh", None, 5 / 3),
        ("relu", None, math.sqrt(2)),
        ("selu", None, 0.75),
        ("leaky_relu", None, math.sqrt(2 / (1 + 0.01**2))),
        ("leaky_relu", 0.2, math.sqrt(2 / 1.04)),
        ("leaky_relu", 1, 1.0),
        ("leaky_relu", math.sqrt(5), math.sqrt(2 / 6)),
    ],
)
def test_calculate_gain_table(name, param, gain):
    assert init.calculate_gain(name, param) == pytest.approx(gain, rel=1e-12)


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="unsupported nonlinearity 'gelu'"):
        init.calculate_gain("gelu")
    with pytest.raises(ValueError, match="negative slope must be a number, got 'x'"):
        init.calculate_gain("leaky_relu", "x")
    with pytest.raises(ValueError, match="got True"):
        init.calculate_gain("leaky_relu", True)


# ---------------------------------------------------------------------- statistics
@pytest.mark.parametrize("dtype", [mt.float32, mt.float64])
def test_uniform_and_normal_statistics(dtype):
    w = big(dtype)
    init.uniform_(w, -1.0, 3.0)
    assert w._data.min() >= -1.0 and w._data.max() <= 3.0
    assert_moments(w._data, 1.0, 4 / math.sqrt(12))
    init.normal_(w, mean=2.0, std=0.5)
    assert_moments(w._data, 2.0, 0.5)
    init.uniform_(w)  # defaults U(0, 1)
    assert_moments(w._data, 0.5, 1 / math.sqrt(12))


def test_xavier_statistics():
    w = big()  # fan_in 500, fan_out 400
    init.xavier_uniform_(w, gain=2.0)
    bound = 2.0 * math.sqrt(6 / 900)
    assert np.abs(w._data).max() <= bound and np.abs(w._data).max() > 0.99 * bound
    assert_moments(w._data, 0.0, bound / math.sqrt(3))
    init.xavier_normal_(w)
    assert_moments(w._data, 0.0, math.sqrt(2 / 900))


@pytest.mark.parametrize("mode, fan", [("fan_in", 500), ("fan_out", 400), ("FAN_IN", 500)])
def test_kaiming_statistics(mode, fan):
    w = big()
    init.kaiming_normal_(w, mode=mode, nonlinearity="relu")
    assert_moments(w._data, 0.0, math.sqrt(2 / fan))
    init.kaiming_uniform_(w, a=0.1, mode=mode)
    bound = math.sqrt(3) * math.sqrt(2 / 1.01) / math.sqrt(fan)
    assert np.abs(w._data).max() <= bound and np.abs(w._data).max() > 0.99 * bound
    assert_moments(w._data, 0.0, bound / math.sqrt(3))


def test_kaiming_uniform_sqrt5_is_the_linear_default_bound():
    w = mt.nn.Parameter(mt.zeros(300, 64))
    init.kaiming_uniform_(w, a=math.sqrt(5))
    # gain sqrt(2/6) * sqrt(3/fan_in) = 1/sqrt(fan_in): PyTorch's Linear bound.
    assert np.abs(w._data).max() <= 1 / 8 and np.abs(w._data).max() > 0.99 / 8


def test_trunc_normal_bounds_and_statistics():
    w = big(mt.float64)
    init.trunc_normal_(w)
    assert w._data.min() >= -2 and w._data.max() <= 2
    assert_moments(w._data, 0.0, 0.87962566103423978)
    init.trunc_normal_(w, mean=1.0, std=3.0, a=0.5, b=1.5)  # narrow window: nearly uniform
    assert w._data.min() >= 0.5 and w._data.max() <= 1.5
    assert abs(w._data.mean() - 1.0) < 0.01
    f32 = big()
    init.trunc_normal_(f32, std=0.02, a=-0.04, b=0.04)
    assert f32._data.dtype == np.float32 and np.abs(f32._data).max() <= 0.04


@pytest.mark.parametrize(
    "name, variance, truncated",
    [
        ("he_normal", 2 / 500, True),
        ("he_uniform", 2 / 500, False),
        ("glorot_normal", 2 / 900, True),
        ("glorot_uniform", 2 / 900, False),
        ("lecun_normal", 1 / 500, True),
        ("lecun_uniform", 1 / 500, False),
    ],
)
def test_keras_initializers_match_keras_formulas(name, variance, truncated):
    w = big()
    mt.registry.create("initializer", name)(w)
    std = math.sqrt(variance)
    limit = 2 * std / 0.87962566103423978 if truncated else math.sqrt(3) * std
    assert np.abs(w._data).max() <= limit * (1 + 1e-6) and np.abs(w._data).max() > 0.99 * limit
    assert_moments(w._data, 0.0, std)  # Keras's rescaling gives the truncated draw this std


def test_keras_fans_on_conv_weight():
    # Keras Conv2D(16, 5) on 3 channels: kernel (5, 5, 3, 16), fan_in 75, fan_out 400.
    w = mt.nn.Parameter(mt.zeros(16, 3, 5, 5))
    init_ = mt.registry.create("initializer", "glorot_uniform")
    limit = math.sqrt(6 / (75 + 400))
    assert np.abs(init_(w)._data).max() <= limit
    mt.registry.create("initializer", "he_uniform")(w)
    assert np.abs(w._data).max() > math.sqrt(6 / 400)  # fan_in is 75, not 3 or 16


# ------------------------------------------------------------------- deterministic fills
def test_constant_zeros_ones_eye():
    w = mt.nn.Parameter(mt.zeros(3, 4, dtype=mt.float64))
    np.testing.assert_array_equal(init.constant_(w, 0.25)._data, np.full((3, 4), 0.25))
    np.testing.assert_array_equal(init.ones_(w)._data, np.ones((3, 4)))
    np.testing.assert_array_equal(init.zeros_(w)._data, np.zeros((3, 4)))
    np.testing.assert_array_equal(init.eye_(w)._data, np.eye(3, 4))
    ints = mt.zeros(2, 2, dtype=mt.int64)
    assert init.constant_(ints, 3)._data.dtype == np.int64 and ints._data.sum() == 12


def test_eye_needs_2d():
    with pytest.raises(ValueError, match="only 2-D.*\\(2, 2, 2\\)"):
        init.eye_(mt.zeros(2, 2, 2))
    with pytest.raises(ValueError, match="only 2-D"):
        mt.registry.create("initializer", "identity")(mt.zeros(3))


def test_dirac_keeps_channels_of_a_conv():
    w = mt.zeros(4, 2, 3, 3)
    init.dirac_(w, groups=2)
    expected = np.zeros((4, 2, 3, 3))
    for out, inp in [(0, 0), (1, 1), (2, 0), (3, 1)]:
        expected[out, inp, 1, 1] = 1
    np.testing.assert_array_equal(w._data, expected)
    with pytest.raises(ValueError, match="only 3, 4 or 5-D"):
        init.dirac_(mt.zeros(2, 2))
    with pytest.raises(ValueError, match="groups must be a positive int dividing dim 0 \\(4\\)"):
        init.dirac_(w, groups=3)


@pytest.mark.parametrize("shape", [(20, 50), (50, 20), (8, 3, 2, 2), (30, 30)])
def test_orthogonal(shape):
    w = mt.zeros(*shape, dtype=mt.float64)
    init.orthogonal_(w, gain=2.0)
    flat = w._data.reshape(shape[0], -1) / 2.0
    small = flat @ flat.T if flat.shape[0] <= flat.shape[1] else flat.T @ flat
    np.testing.assert_allclose(small, np.eye(min(flat.shape)), atol=1e-12)
    w32 = mt.zeros(*shape)
    init.orthogonal_(w32)
    assert w32._data.dtype == np.float32


# --------------------------------------------------------------- in place, dtype, seed
ALL_RANDOM = [
    lambda t: init.uniform_(t),
    lambda t: init.normal_(t),
    lambda t: init.trunc_normal_(t),
    lambda t: init.xavier_uniform_(t),
    lambda t: init.xavier_normal_(t),
    lambda t: init.kaiming_uniform_(t),
    lambda t: init.kaiming_normal_(t),
    lambda t: init.orthogonal_(t),
]


@pytest.mark.parametrize("fill", ALL_RANDOM)
@pytest.mark.parametrize("dtype", [mt.float32, mt.float64])
def test_in_place_same_array_and_dtype(fill, dtype):
    w = mt.nn.Parameter(mt.zeros(6, 5, dtype=dtype))
    array = w._data
    assert fill(w) is w
    assert w._data is array and array.dtype == dtype and np.all(array != 0)
    assert w.grad_fn is None and w.requires_grad


@pytest.mark.parametrize("fill", ALL_RANDOM)
def test_deterministic_under_manual_seed(fill):
    mt.manual_seed(7)
    first = fill(mt.zeros(6, 5))._data.copy()
    mt.manual_seed(7)
    np.testing.assert_array_equal(fill(mt.zeros(6, 5))._data, first)
    assert not np.array_equal(fill(mt.zeros(6, 5))._data, first)


def test_explicit_numpy_generator():
    a = init.normal_(mt.zeros(3, 3), generator=np.random.default_rng(5))._data
    b = init.normal_(mt.zeros(3, 3), generator=np.random.default_rng(5))._data
    np.testing.assert_array_equal(a, b)


def test_fills_a_parameter_owned_by_an_optimizer():
    w = mt.nn.Parameter(mt.zeros(4, 3))
    mt.optim.Optimizer([w], {"lr": 0.1})
    view = w._data  # a view into the optimizer's contiguous buffer
    init.kaiming_normal_(w)
    assert np.shares_memory(w._data, view) and np.all(view != 0)


def test_empty_tensor_is_a_no_op_with_warning():
    w = mt.zeros(0, 3)
    with pytest.warns(UserWarning, match="zero-element"):
        assert init.kaiming_uniform_(w) is w
    with pytest.warns(UserWarning, match="zero-element"):
        init.xavier_normal_(w)


# -------------------------------------------------------------------------- errors
def test_argument_errors():
    w = mt.zeros(3, 4)
    with pytest.raises(ValueError, match="mode 'fan_avg' not supported"):
        init.kaiming_normal_(w, mode="fan_avg")
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        init.kaiming_uniform_(w, nonlinearity="swish")
    with pytest.raises(ValueError, match="a <= b, got a=2.0 > b=1.0"):
        init.uniform_(w, 2.0, 1.0)
    with pytest.raises(ValueError, match="std >= 0, got std=-1.0"):
        init.normal_(w, std=-1.0)
    with pytest.raises(ValueError, match="a < b"):
        init.trunc_normal_(w, a=1.0, b=1.0)
    with pytest.raises(ValueError, match="holds only"):
        init.trunc_normal_(w, a=10.0, b=11.0)
    with pytest.raises(TypeError, match="mean must be a real number, got str 'x'"):
        init.normal_(w, mean="x")
    with pytest.raises(TypeError, match="expected a floating-point tensor, got dtype int64"):
        init.normal_(mt.zeros(2, 2, dtype=mt.int64))
    with pytest.raises(TypeError, match="expected a minitorch_es Tensor or Parameter, got ndarray"):
        init.uniform_(np.zeros(3))


def test_constructor_errors():
    with pytest.raises(ValueError, match="KaimingNormal: mode 'fan' not supported"):
        init.KaimingNormal(mode="fan")
    with pytest.raises(ValueError, match="unsupported nonlinearity 'gelu'"):
        mt.registry.create("initializer", "kaiming_uniform", nonlinearity="gelu")
    with pytest.raises(ValueError, match="Normal: std must be a real number >= 0, got -2"):
        init.Normal(std=-2)
    with pytest.raises(ValueError, match="Uniform: b must be a real number >= 1, got 0"):
        init.Uniform(a=1, b=0)
    with pytest.raises(ValueError, match="TruncatedNormal: std must be a real number > 0"):
        init.TruncatedNormal(std=0)
    with pytest.raises(TypeError, match="Orthogonal: gain must be a real number, got str '2'"):
        init.Orthogonal(gain="2")
    with pytest.raises(ValueError, match="Dirac: groups must be an int >= 1, got 0"):
        init.Dirac(groups=0)
    with pytest.raises(RegistryError, match="unknown initializer 'he_norml'.*he_normal|HeNormal"):
        mt.registry.create("initializer", "he_norml")


# ---------------------------------------------------------------- registry and config
ALIASES = {
    "uniform": "Uniform",
    "normal": "Normal",
    "constant": "Constant",
    "zeros": "Zeros",
    "ones": "Ones",
    "eye": "Eye",
    "identity": "Eye",
    "dirac": "Dirac",
    "xavier_uniform": "XavierUniform",
    "xavier_normal": "XavierNormal",
    "kaiming_uniform": "KaimingUniform",
    "kaiming_normal": "KaimingNormal",
    "orthogonal": "Orthogonal",
    "trunc_normal": "TruncatedNormal",
    "he_normal": "HeNormal",
    "he_uniform": "HeUniform",
    "glorot_uniform": "GlorotUniform",
    "glorot_normal": "GlorotNormal",
    "lecun_normal": "LecunNormal",
    "lecun_uniform": "LecunUniform",
}


@pytest.mark.parametrize("alias, name", sorted(ALIASES.items()))
def test_every_alias_fills_in_place(alias, name):
    made = mt.registry.create("initializer", alias)
    assert type(made).__name__ == name and type(made) is getattr(init, name)
    assert isinstance(made, init.Initializer)
    w = mt.zeros(*((4, 4) if name != "Dirac" else (4, 4, 3)), dtype=mt.float64)
    array = w._data
    assert made(w) is w and w._data is array and w._data.dtype == np.float64


@pytest.mark.parametrize(
    "made",
    [
        lambda: init.KaimingNormal(a=0.2, mode="fan_out", nonlinearity="relu"),
        lambda: init.KaimingUniform(a=math.sqrt(5)),
        lambda: init.Uniform(-0.5, 0.5),
        lambda: init.Normal(1.0, 0.1),
        lambda: init.TruncatedNormal(0.0, 0.02, -0.04, 0.04),
        lambda: init.Constant(0.1),
        lambda: init.XavierNormal(gain=3.0),
        lambda: init.Orthogonal(2),
        lambda: init.Dirac(groups=2),
        lambda: init.HeNormal(),
        lambda: init.GlorotUniform(),
    ],
)
def test_config_round_trip(made):
    original = made()
    config = original.get_config()
    name = mt.registry.entry_of(original).name
    rebuilt = mt.registry.create("initializer", {"name": name, "config": config})
    assert type(rebuilt) is type(original) and rebuilt.get_config() == config
    w = mt.zeros(4, 2, 3)
    mt.manual_seed(3)
    first = original(w)._data.copy()
    mt.manual_seed(3)
    np.testing.assert_array_equal(rebuilt(w)._data, first)


def test_create_with_keyword_arguments_and_repr():
    made = mt.registry.create("initializer", "kaiming_normal", mode="fan_out", nonlinearity="relu")
    assert made.get_config() == {"a": 0, "mode": "fan_out", "nonlinearity": "relu"}
    assert repr(made) == "KaimingNormal(a=0, mode='fan_out', nonlinearity='relu')"
    assert repr(init.HeNormal()) == "HeNormal()"


def test_functions_are_published_in_nn_init():
    for name in (
        "uniform_",
        "normal_",
        "constant_",
        "zeros_",
        "ones_",
        "eye_",
        "dirac_",
        "xavier_uniform_",
        "xavier_normal_",
        "kaiming_uniform_",
        "kaiming_normal_",
        "orthogonal_",
        "trunc_normal_",
        "calculate_gain",
        "_calculate_fan_in_and_fan_out",
        "Initializer",
    ):
        assert callable(getattr(init, name)), name
    assert "kaiming_normal_" in dir(init)
