"""RNN, LSTM, GRU and their cells: PyTorch parity (outputs and gradients, float64, through
fixtures), the fused kernels' first and second derivatives, options, errors."""

import math

import numpy as np
import pytest
from module_parity import check_module

import minitorch_es as mt
from minitorch_es.autograd import gradcheck, gradgradcheck
from minitorch_es.errors import ShapeError
from minitorch_es_plugins.layers.recurrent_kernels import GRUSequence, LSTMSequence, RNNSequence
from minitorch_es_plugins.layers.recurrent_steps import (
    lstm_steps_backward,
    lstm_steps_backward_graph,
)

RNG = np.random.default_rng(7)


def data(*shape):
    return RNG.standard_normal(shape)


# ---------------------------------------------------------------- layers against PyTorch
LAYER_CASES = {
    # name: (class, config, input shape, initial-state shapes or None)
    "lstm": ("LSTM", {"input_size": 3, "hidden_size": 4}, (5, 2, 3), None),
    "lstm_deep_bidir": (
        "LSTM",
        {"input_size": 3, "hidden_size": 4, "num_layers": 2, "bidirectional": True},
        (4, 2, 3),
        [(4, 2, 4), (4, 2, 4)],
    ),
    "lstm_proj_batch_first": (
        "LSTM",
        {"input_size": 3, "hidden_size": 5, "num_layers": 2, "proj_size": 2, "batch_first": True},
        (2, 4, 3),
        [(2, 2, 2), (2, 2, 5)],
    ),
    "lstm_proj_bidir_nobias": (
        "LSTM",
        {"input_size": 2, "hidden_size": 4, "proj_size": 3, "bidirectional": True, "bias": False},
        (3, 2, 2),
        None,
    ),
    "lstm_unbatched": ("LSTM", {"input_size": 3, "hidden_size": 4}, (4, 3), [(1, 4), (1, 4)]),
    "gru": ("GRU", {"input_size": 3, "hidden_size": 4}, (5, 2, 3), [(1, 2, 4)]),
    "gru_deep_bidir_batch_first": (
        "GRU",
        {
            "input_size": 3,
            "hidden_size": 4,
            "num_layers": 2,
            "bidirectional": True,
            "batch_first": True,
        },
        (2, 4, 3),
        [(4, 2, 4)],
    ),
    "gru_nobias_unbatched": (
        "GRU",
        {"input_size": 3, "hidden_size": 4, "bias": False},
        (4, 3),
        None,
    ),
    "rnn_tanh_deep_bidir": (
        "RNN",
        {"input_size": 3, "hidden_size": 4, "num_layers": 2, "bidirectional": True},
        (4, 2, 3),
        [(4, 2, 4)],
    ),
    "rnn_relu_batch_first": (
        "RNN",
        {"input_size": 3, "hidden_size": 4, "nonlinearity": "relu", "batch_first": True},
        (2, 5, 3),
        None,
    ),
    "rnn_unbatched_nobias": (
        "RNN",
        {"input_size": 3, "hidden_size": 4, "bias": False},
        (4, 3),
        [(1, 4)],
    ),
}


CELL_CASES = {
    "rnn_cell": ("RNNCell", {"input_size": 3, "hidden_size": 4}, (2, 3), [(2, 4)]),
    "rnn_cell_relu_nobias": (
        "RNNCell",
        {"input_size": 3, "hidden_size": 4, "nonlinearity": "relu", "bias": False},
        (2, 3),
        None,
    ),
    "lstm_cell": ("LSTMCell", {"input_size": 3, "hidden_size": 4}, (2, 3), [(2, 4), (2, 4)]),
    "lstm_cell_unbatched": ("LSTMCell", {"input_size": 3, "hidden_size": 4}, (3,), None),
    "gru_cell": ("GRUCell", {"input_size": 3, "hidden_size": 4}, (2, 3), [(2, 4)]),
    "gru_cell_unbatched": ("GRUCell", {"input_size": 3, "hidden_size": 4}, (3,), [(4,)]),
}


@pytest.mark.parametrize("case", sorted(LAYER_CASES) + sorted(CELL_CASES))
def test_matches_pytorch(case):
    cls, config, shape, states = {**LAYER_CASES, **CELL_CASES}[case]
    inputs = {"x": data(*shape)}
    if states:
        inputs.update({f"s{i}": data(*s) for i, s in enumerate(states)})

    def call(module, t):
        if not states:
            return module(t["x"])
        return module(t["x"], (t["s0"], t["s1"]) if cls.startswith("LSTM") else t["s0"])

    check_module(f"recurrent/{case}", cls, config, inputs, call)


def test_dropout_between_layers_is_applied_in_training_only():
    mt.manual_seed(0)
    lstm = mt.nn.LSTM(3, 4, num_layers=2, dropout=0.5).double()
    x = mt.tensor(data(5, 2, 3))
    lstm.eval()
    a, _ = lstm(x)
    b, _ = lstm(x)
    np.testing.assert_array_equal(a.numpy(force=True), b.numpy(force=True))
    lstm.train()
    c, _ = lstm(x)
    assert not np.allclose(a.numpy(force=True), c.numpy(force=True))


def test_dropout_with_one_layer_warns_as_pytorch():
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        mt.nn.GRU(3, 4, dropout=0.2)


# ---------------------------------------------------------------- the fused kernels
def leaf(*shape):
    return mt.tensor(data(*shape), requires_grad=True)


KERNELS = {
    "rnn_tanh": (RNNSequence, 1, {"nonlinearity": "tanh"}, False),
    "rnn_relu": (RNNSequence, 1, {"nonlinearity": "relu"}, False),
    "gru": (GRUSequence, 3, {}, False),
    "lstm": (LSTMSequence, 4, {}, False),
    "lstm_proj": (LSTMSequence, 4, {}, True),
}


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("name", sorted(KERNELS))
def test_kernels_first_and_second_derivatives(name, reverse):
    kernel, gates, options, proj = KERNELS[name]
    steps, batch, size, hidden = 3, 2, 3, 2
    out = 1 if proj else hidden
    args = [leaf(steps, batch, size), leaf(batch, out)]
    if kernel is LSTMSequence:
        args.append(leaf(batch, hidden))
    args += [leaf(gates * hidden, size), leaf(gates * hidden, out)]
    args += [leaf(gates * hidden), leaf(gates * hidden)]
    if kernel is LSTMSequence:
        args.append(leaf(out, hidden) if proj else None)

    def fn(*a):
        return kernel.apply(*a, reverse=reverse, **options)

    # Every output is projected on a random direction: the extra outputs' gradients are checked.
    assert gradcheck(fn, args)
    assert gradgradcheck(fn, args)


@pytest.mark.parametrize("proj", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("cotangents", ["hs", "all"])
def test_lstm_backward_kernel_matches_its_tensor_counterpart(cotangents, reverse, proj):
    # The NumPy loop of the fast path against the Tensor loop that builds a graph, on the same
    # activated gates, cells and cotangents (all four outputs' in double backward).
    steps, batch, n, p = 4, 3, 5, 2 if proj else 5
    gates = RNG.uniform(-1, 1, (steps, batch, 4 * n))
    cs, g_hs = data(steps, batch, n), data(steps, batch, p)
    tcs = np.tanh(cs)
    given = cotangents == "all"
    g_cs, g_tcs = (data(steps, batch, n), data(steps, batch, n)) if given else (None, None)
    g_gates = data(steps, batch, 4 * n) if given else None
    c0, w_hh, w_hr = data(batch, n), data(4 * n, p), data(p, n) if proj else None
    args = (g_hs, g_cs, g_gates, g_tcs, c0, w_hh, w_hr, cs, gates, tcs)
    fast = lstm_steps_backward(*args, reverse, True)
    as_tensors = [None if a is None else mt.tensor(a) for a in args]
    graph = lstm_steps_backward_graph(*as_tensors, reverse, True)
    assert (fast[1] is None) == (not proj)
    for a, b in zip(fast, graph):
        if a is not None:
            np.testing.assert_allclose(a, b.numpy(force=True), rtol=1e-13, atol=1e-13)


def test_kernels_accept_absent_biases():
    args = [leaf(3, 2, 3), leaf(2, 2), leaf(2, 2), leaf(8, 3), leaf(8, 2), None, None, None]
    assert gradcheck(lambda *a: LSTMSequence.apply(*a), args)


# ---------------------------------------------------------------- parameters and config
def test_parameter_names_shapes_and_order_are_pytorchs():
    lstm = mt.nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2)
    names = [(n, p.shape) for n, p in lstm.named_parameters()]
    assert names[:6] == [
        ("weight_ih_l0", (20, 3)),
        ("weight_hh_l0", (20, 2)),
        ("bias_ih_l0", (20,)),
        ("bias_hh_l0", (20,)),
        ("weight_hr_l0", (2, 5)),
        ("weight_ih_l0_reverse", (20, 3)),
    ]
    assert ("weight_ih_l1", (20, 4)) in names and len(names) == 20
    gru = mt.nn.GRU(3, 4, bias=False)
    assert [n for n, _ in gru.named_parameters()] == ["weight_ih_l0", "weight_hh_l0"]
    assert len(lstm.all_weights) == 4 and len(lstm.all_weights[0]) == 5


def test_default_initialisation_is_uniform_in_one_over_sqrt_hidden():
    gru = mt.nn.GRU(50, 100)
    bound = 1 / math.sqrt(100)
    w = gru.weight_hh_l0.numpy(force=True)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.02 * bound


@pytest.mark.parametrize(
    "cls,config",
    [
        ("LSTM", {"input_size": 3, "hidden_size": 4, "num_layers": 2, "proj_size": 2}),
        ("RNN", {"input_size": 3, "hidden_size": 4, "nonlinearity": "relu"}),
        ("GRUCell", {"input_size": 3, "hidden_size": 4, "bias": False}),
    ],
)
def test_config_round_trip(cls, config):
    layer = getattr(mt.nn, cls)(**config)
    again = mt.registry.create("layer", {"name": cls, "config": layer.get_config()})
    assert again.get_config() == layer.get_config()
    assert [p.shape for p in again.parameters()] == [p.shape for p in layer.parameters()]


def test_float32_stays_float32():
    out, (h, c) = mt.nn.LSTM(3, 4)(mt.randn(2, 1, 3))
    assert out.dtype == h.dtype == c.dtype == mt.float32


# ---------------------------------------------------------------- errors
def test_input_errors_name_expected_and_received():
    lstm = mt.nn.LSTM(3, 4)
    with pytest.raises(ShapeError, match=r"Expected input to be 2D or 3D, got 4D"):
        lstm(mt.randn(1, 2, 3, 3))
    with pytest.raises(ShapeError, match=r"Expected 3, got 5 \(input shape \(2, 1, 5\)\)"):
        lstm(mt.randn(2, 1, 5))
    with pytest.raises(ShapeError, match="sequence of length > 0"):
        lstm(mt.randn(0, 1, 3))
    with pytest.raises(TypeError, match="dtype float32"):
        lstm(mt.randn(2, 1, 3, dtype=mt.float64))


def test_state_errors_name_expected_and_received():
    lstm = mt.nn.LSTM(3, 4, num_layers=2)
    x = mt.randn(5, 2, 3)
    with pytest.raises(ShapeError, match=r"expected h_0 of shape \(2, 2, 4\), got \(1, 2, 4\)"):
        lstm(x, (mt.zeros(1, 2, 4), mt.zeros(2, 2, 4)))
    with pytest.raises(ShapeError, match=r"expected c_0 of shape \(2, 2, 4\), got \(2, 3, 4\)"):
        lstm(x, (mt.zeros(2, 2, 4), mt.zeros(2, 3, 4)))
    with pytest.raises(TypeError, match=r"hx must be a tuple \(h_0, c_0\)"):
        lstm(x, mt.zeros(2, 2, 4))
    with pytest.raises(ShapeError, match=r"expected hx of shape \(1, 4\), got \(1, 1, 4\)"):
        mt.nn.GRU(3, 4)(mt.randn(5, 3), mt.zeros(1, 1, 4))
    with pytest.raises(ShapeError, match=r"RNN: expected hx of shape \(1, 2, 4\)"):
        mt.nn.RNN(3, 4)(x, mt.zeros(2, 4))


def test_cell_errors_name_expected_and_received():
    cell = mt.nn.LSTMCell(3, 4)
    with pytest.raises(ShapeError, match="Expected input to be 1D or 2D, got 3D"):
        cell(mt.randn(1, 2, 3))
    with pytest.raises(ShapeError, match="expected 3, got 2"):
        cell(mt.randn(2, 2))
    with pytest.raises(ShapeError, match=r"expected h of shape \(2, 4\), got \(2, 5\)"):
        cell(mt.randn(2, 3), (mt.zeros(2, 5), mt.zeros(2, 4)))
    with pytest.raises(TypeError, match="hx must be a tuple"):
        cell(mt.randn(2, 3), mt.zeros(2, 4))
    with pytest.raises(ShapeError, match=r"GRUCell: expected hx of shape \(4,\), got \(1, 4\)"):
        mt.nn.GRUCell(3, 4)(mt.randn(3), mt.zeros(1, 4))


def test_option_errors():
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        mt.nn.LSTM(3, 4, proj_size=4)
    with pytest.raises(ValueError, match="hidden_size must be greater than zero"):
        mt.nn.GRU(3, 0)
    with pytest.raises(ValueError, match="num_layers must be greater than zero"):
        mt.nn.RNN(3, 4, num_layers=0)
    with pytest.raises(ValueError, match=r"dropout should be a number in range \[0, 1\]"):
        mt.nn.LSTM(3, 4, num_layers=2, dropout=1.5)
    with pytest.raises(ValueError, match="Unknown nonlinearity 'sigmoid'"):
        mt.nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="Unknown nonlinearity"):
        mt.nn.RNNCell(3, 4, nonlinearity="gelu")
    with pytest.raises(TypeError, match="hidden_size must be an int"):
        mt.nn.LSTMCell(3, 4.0)
