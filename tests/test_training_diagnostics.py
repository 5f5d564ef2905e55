"""GradientMonitor and DeadUnitMonitor (the thesis's vanishing gradients and dead units)."""

import sys
import warnings

import numpy as np
import pytest
from test_training_toys import MSE, SGD, Dense, ReLU, Sigmoid, Tanh, blobs, mlp

import minitorch_es as mt
from minitorch_es.nn import Sequential
from minitorch_es_plugins import diagnostics
from minitorch_es_plugins.dead_units import failure_mode

GradientWarning, DeadUnitWarning = diagnostics.GradientWarning, diagnostics.DeadUnitWarning


def cb(name, *args, **kwargs):
    return mt.registry.get("callback", name)(*args, **kwargs)


def train(model, callbacks, epochs=1, batch_size=16, lr=0.01, n=32):
    x, y = blobs(n)
    trainer = mt.Trainer(
        model, optimizer=SGD(model.parameters(), lr=lr), loss=MSE(), callbacks=callbacks
    )
    trainer.fit(
        x, y.astype(np.float32), epochs=epochs, batch_size=batch_size, shuffle=False, verbose=0
    )
    return trainer


def run_quietly(fn, *args, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn(*args, **kwargs)
    return result, caught


# --------------------------------------------------------------------------- GradientMonitor
def test_vanishing_gradients_in_a_deep_sigmoid_mlp_but_not_in_a_relu_one():
    deep_sigmoid = mlp([2] + [16] * 6 + [1], activation=Sigmoid)
    monitor = cb("GradientMonitor", every_n_steps=1)
    _, caught = run_quietly(train, deep_sigmoid, [monitor])
    layers = monitor.layer_norms()
    first, last = layers["0"], layers["12"]
    assert (first / last < 1e-3).all()
    assert [e["kind"] for e in monitor.events] == ["vanishing", "vanishing"]
    warned = [str(w.message) for w in caught if w.category is GradientWarning]
    assert len(warned) == 1 and "vanishing gradients at step 0" in warned[0]

    mt.manual_seed(0)
    deep_relu = mlp([2] + [16] * 6 + [1], activation=ReLU, he=True)
    monitor = cb("GradientMonitor", every_n_steps=1)
    _, caught = run_quietly(train, deep_relu, [monitor])
    assert monitor.events == [] and not [w for w in caught if w.category is GradientWarning]
    layers = monitor.layer_norms()
    assert (layers["0"] / layers["12"] > 1e-2).all()


def test_recorded_norms_are_the_gradients_before_the_optimizer_step():
    layer = Dense(2, 1)
    w0, b0 = layer.weight._data.astype(np.float64), layer.bias._data.astype(np.float64)
    monitor = cb("GradientMonitor", every_n_steps=2)
    train(layer, [monitor], epochs=3, batch_size=32, lr=0.1)
    assert monitor.steps == [0, 2] and monitor.names == ["weight", "bias"]
    x, y = blobs(32)
    x = x.astype(np.float32).astype(np.float64)
    residual = x @ w0.T + b0 - y[:, None]  # MSE gradient at the initial weights
    grad_w, grad_b = 2 / 32 * residual.T @ x, 2 / 32 * residual.sum(0)
    np.testing.assert_allclose(
        monitor.norms[0], [np.linalg.norm(grad_w), np.linalg.norm(grad_b)], rtol=1e-4
    )


def test_exploding_gradients_name_the_parameter_and_state_round_trips():
    monitor = cb("GradientMonitor", every_n_steps=1, explode_norm=1e-9)
    _, caught = run_quietly(train, mlp([2, 3, 1]), [monitor])
    messages = [str(w.message) for w in caught if w.category is GradientWarning]
    assert len(monitor.events) == 8 and len(messages) == 1  # 4 parameters, 2 steps
    assert messages[0].startswith(
        "GradientMonitor: exploding gradients at step 0: gradient norm of '0.weight' is "
    )
    other = cb("GradientMonitor")
    other.load_state_dict(monitor.state_dict())
    assert other.steps == monitor.steps and other.names == monitor.names
    np.testing.assert_array_equal(other.norms, monitor.norms)
    with pytest.raises(ValueError, match="every_n_steps must be an int >= 1"):
        cb("GradientMonitor", every_n_steps=0)
    with pytest.raises(ValueError, match="vanish_ratio must be a real number > 0"):
        cb("GradientMonitor", vanish_ratio=0)


# --------------------------------------------------------------------------- DeadUnitMonitor
def relu_net(bias):
    return Sequential(Dense(2, 4, bias_value=bias), ReLU(), Dense(4, 1))


def test_dead_relu_units_with_very_negative_biases():
    monitor = cb("DeadUnitMonitor")
    _, caught = run_quietly(train, relu_net(-100.0), [monitor], epochs=2, lr=0.0)
    assert [str(w.message) for w in caught if w.category is DeadUnitWarning] == [
        "DeadUnitMonitor: 100% of the relu units of '1' never fired in epoch 1"
    ]  # once a fit
    assert monitor.kinds == {"1": "relu"} and monitor.history == {"1": [1.0, 1.0]}
    assert monitor.epochs == [0, 1]

    half = relu_net(0.0)
    half[0].bias._data[...] = np.array([-100.0, -100.0, 100.0, 100.0], dtype=np.float32)
    monitor = cb("DeadUnitMonitor", warn_fraction=0.6)
    train(half, [monitor], lr=0.0)
    assert monitor.history["1"] == [0.5]
    assert not half[1]._forward_hooks  # hooks are removed when training ends


@pytest.mark.parametrize(
    "activation, bias, expected",
    [
        (Sigmoid, 30.0, 1.0),
        (Sigmoid, -30.0, 1.0),
        (Tanh, -10.0, 1.0),
        (Tanh, 0.0, 0.0),
    ],
)
def test_saturated_sigmoid_and_tanh_units(activation, bias, expected):
    model = Sequential(Dense(2, 4, bias_value=bias), activation(), Dense(4, 1))
    model[0].weight._data[...] = 0.0  # outputs are exactly act(bias)
    monitor = cb("DeadUnitMonitor", warn_fraction=None)
    train(model, [monitor], lr=0.0)
    assert monitor.history["1"] == [expected]


def test_watched_modules_are_found_by_declaration_not_by_class_name():
    class Clipped(mt.nn.Module):  # a custom activation that saturates at 0 and 2
        saturates_at = (0.0, 2.0)

        def forward(self, x):
            return x.clamp(0.0, 2.0)

    class ReLU(mt.nn.Module):  # named like the catalog's, declares nothing: not watched
        def forward(self, x):
            return x.maximum(0.0)

    model = Sequential(Dense(2, 4, bias_value=5.0), Clipped(), ReLU(), Dense(4, 1))
    model[0].weight._data[...] = 0.0  # every output of Clipped is 2, the upper bound
    monitor = cb("DeadUnitMonitor", warn_fraction=None)
    train(model, [monitor], lr=0.0)
    assert monitor.kinds == {"1": "clipped"} and monitor.history == {"1": [1.0]}
    catalog = [mt.nn.ReLU(), mt.nn.ReLU6(), mt.nn.Sigmoid(), mt.nn.Tanh(), mt.nn.LeakyReLU()]
    assert [failure_mode(m) for m in catalog] == [
        ("dead", None),
        ("dead", None),
        ("saturated", (0.0, 1.0)),
        ("saturated", (-1.0, 1.0)),
        None,
    ]


def test_validation_passes_are_not_counted_and_state_round_trips():
    model = relu_net(-100.0)
    monitor = cb("DeadUnitMonitor", warn_fraction=None, modules=["1"])
    x, y = blobs(32)
    trainer = mt.Trainer(
        model, optimizer=SGD(model.parameters(), lr=0.0), loss=MSE(), callbacks=[monitor]
    )
    model[0].bias._data[...] = -100.0
    trainer.fit(x, y, epochs=1, validation_data=(x + 1e6, y), verbose=0)  # would fire in eval
    assert monitor.history["1"] == [1.0]
    other = cb("DeadUnitMonitor")
    other.load_state_dict(monitor.state_dict())
    assert other.history == monitor.history and other.kinds == monitor.kinds


def test_dead_unit_monitor_errors():
    with pytest.raises(ValueError, match=r"no modules named \['act'\]"):
        train(relu_net(0.0), [cb("DeadUnitMonitor", modules=["act"])])
    with pytest.raises(ValueError, match="module '0' is a Dense; expected one of ReLU"):
        train(relu_net(0.0), [cb("DeadUnitMonitor", modules=["0"])])
    with pytest.warns(DeadUnitWarning, match="no ReLU / Sigmoid / Tanh modules"):
        train(Dense(2, 1), [cb("DeadUnitMonitor")])
    with pytest.raises(ValueError, match=r"saturation_tol must be a real number in \(0, 0.5\)"):
        cb("DeadUnitMonitor", saturation_tol=0.5)


# -------------------------------------------------------------------------------------- plots
def test_plots_return_figures_and_need_matplotlib(monkeypatch):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    grads, dead = cb("GradientMonitor", every_n_steps=1), cb("DeadUnitMonitor", warn_fraction=None)
    train(relu_net(0.0), [grads, dead], epochs=2)
    assert len(grads.plot().axes[0].lines) == 2  # layers '0' and '2'
    assert len(grads.plot(by="parameter").axes[0].lines) == 4
    assert len(dead.plot().axes[0].lines) == 1
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"GradientMonitor.plot needs matplotlib.*plot\]"):
        grads.plot()
    with pytest.raises(ImportError, match="install the plot extra"):
        dead.plot()
