"""What every optimizer applies besides its update rule: parameters' constraints and
regularizers in any training loop (never twice under the Trainer), and the base's weight decay
and ``maximize`` for an optimizer of one's own."""

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.nn import Parameter


def plain_loop(model, optimizer, x, y, steps):
    for _ in range(steps):
        optimizer.zero_grad()
        mt.nn.functional.mse_loss(model(x), y).backward()
        optimizer.step()


@pytest.mark.parametrize("constraint", [mt.regularizers.MaxNorm(1.0), "max_norm"])
def test_a_plain_loop_keeps_max_norm_weights(constraint, rng):
    max_value = 1.0 if not isinstance(constraint, str) else 2.0  # Keras's default max_value=2
    layer = mt.nn.Linear(4, 3, weight_constraint=constraint)
    x, y = mt.tensor(rng.normal(size=(16, 4)) * 10), mt.tensor(rng.normal(size=(16, 3)) * 50)
    plain_loop(layer, mt.optim.SGD(layer.parameters(), lr=0.5), x.float(), y.float(), steps=5)
    norms = np.linalg.norm(layer.weight.numpy(force=True), axis=1)  # each unit's incoming weights
    assert norms.max() <= max_value * (1 + 1e-6) and norms.max() > 0.9 * max_value


def test_a_bias_constraint_and_one_set_on_the_parameter(rng):
    layer = mt.nn.Linear(3, 2, bias_constraint="non_neg")
    layer.weight.constraint = lambda w: np.clip(w.numpy(force=True), -0.1, 0.1)  # returns values
    x, y = mt.tensor(rng.normal(size=(8, 3)), dtype=mt.float32), -100 * mt.ones(8, 2)
    plain_loop(layer, mt.optim.Adam(layer.parameters(), lr=0.1), x, y, steps=3)
    assert (layer.bias.numpy(force=True) >= 0).all()
    assert np.abs(layer.weight.numpy(force=True)).max() <= 0.1 + 1e-7


def test_a_weight_regularizer_adds_its_gradient_at_the_step(rng):
    layer = mt.nn.Linear(3, 2, weight_regularizer=mt.regularizers.L2(0.05))
    w0, b0 = layer.weight.numpy(force=True).copy(), layer.bias.numpy(force=True).copy()
    x = rng.normal(size=(5, 3)).astype(np.float32)
    opt = mt.optim.SGD(layer.parameters(), lr=0.1)
    opt.zero_grad()
    layer(mt.tensor(x)).sum().backward()
    opt.step()
    # d/dw of sum(x @ w.T + b) is 1 @ x per row; the penalty 0.05 * sum(w**2) adds 0.1 * w.
    expected = w0 - 0.1 * (np.ones((2, 5)) @ x + 2 * 0.05 * w0)
    np.testing.assert_allclose(layer.weight.numpy(force=True), expected, rtol=1e-5)
    np.testing.assert_allclose(layer.bias.numpy(force=True), b0 - 0.1 * 5, rtol=1e-6)


def test_the_trainer_applies_a_weight_penalty_once(rng):
    """One full-batch step of fit equals one step of a plain loop, and the logged loss is
    Keras's (data loss + penalty)."""
    x = rng.normal(size=(8, 3)).astype(np.float32)
    y = rng.normal(size=(8, 2)).astype(np.float32)

    def build():
        mt.manual_seed(3)
        return mt.nn.Linear(3, 2, weight_regularizer=mt.regularizers.L2(0.5))

    model = build()
    w0 = model.weight.numpy(force=True).astype(np.float64)
    trainer = mt.Trainer(model, optimizer=mt.optim.SGD(model.parameters(), lr=0.1), loss="mse")
    history = trainer.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    reference = build()
    optimizer = mt.optim.SGD(reference.parameters(), lr=0.1)
    plain_loop(reference, optimizer, mt.tensor(x), mt.tensor(y), steps=1)
    np.testing.assert_allclose(model.weight.numpy(force=True), reference.weight.numpy(force=True))
    data_loss = float(mt.nn.functional.mse_loss(build()(mt.tensor(x)), mt.tensor(y)).item())
    assert history.history["loss"][0] == pytest.approx(data_loss + 0.5 * (w0**2).sum(), rel=1e-5)


def test_a_regularizer_must_return_a_scalar_tensor():
    w = Parameter(mt.ones(2))
    w.regularizer = lambda p: p * 2
    w.grad = np.zeros(2, np.float32)
    with pytest.raises(TypeError, match=r"must return a scalar Tensor, got a Tensor of shape"):
        mt.optim.SGD([w], lr=0.1).step()


def test_a_constraint_returning_the_wrong_shape_is_an_error():
    w = Parameter(mt.ones(2))
    w.constraint = lambda p: np.zeros(3)
    w.grad = np.zeros(2, np.float32)
    with pytest.raises(mt.ShapeError, match=r"returned shape \(3,\) for a parameter of shape"):
        mt.optim.SGD([w], lr=0.1).step()


def test_a_bias_option_without_a_bias_is_an_error():
    with pytest.raises(ValueError, match="bias_constraint is given but the layer has no bias"):
        mt.nn.Linear(2, 2, bias=False, bias_constraint="non_neg")


def test_options_round_trip_through_the_config_and_show_in_the_repr():
    layer = mt.nn.Linear(2, 2, weight_constraint={"name": "MaxNorm", "config": {"max_value": 3}})
    assert repr(layer).endswith("weight_constraint=MaxNorm(max_value=3, axis=None))")
    clone = mt.registry.create("layer", {"name": "Linear", "config": layer.get_config()})
    assert isinstance(clone.weight.constraint, mt.regularizers.MaxNorm)
    assert clone.weight.constraint.max_value == 3 and clone.bias.constraint is None


class PlainSGD(mt.optim.Optimizer):
    """An optimizer of one's own: the base applies weight_decay and maximize."""

    def __init__(self, params, lr=0.1, weight_decay=0.0, maximize=False):
        super().__init__(params, dict(lr=lr, weight_decay=weight_decay, maximize=maximize))

    def _update(self, group, param, grad, state, step):
        param -= group["lr"] * grad


@pytest.mark.parametrize("maximize", [False, True])
def test_the_base_applies_weight_decay_and_maximize(maximize):
    w = Parameter(mt.tensor([1.0, -2.0]))
    w.grad = np.array([0.5, 0.5], np.float32)
    PlainSGD([w], lr=0.1, weight_decay=0.2, maximize=maximize).step()
    g = (-0.5 if maximize else 0.5) + 0.2 * np.array([1.0, -2.0])
    np.testing.assert_allclose(w.data, np.array([1.0, -2.0]) - 0.1 * g, rtol=1e-6)
    assert w.grad.tolist() == [0.5, 0.5]  # the gradient itself is not modified


def test_rules_set_after_the_optimizer_was_created_apply_from_the_next_step():
    w = Parameter(mt.tensor([3.0, -4.0]))
    opt = mt.optim.SGD([w], lr=0.0)
    w.grad = np.zeros(2, np.float32)
    opt.step()
    assert w.tolist() == [3.0, -4.0]
    w.constraint = mt.regularizers.NonNeg()
    opt.step()
    assert w.tolist() == [3.0, 0.0]
    w.constraint = None
    w.regularizer = mt.regularizers.L2(0.5)
    opt.param_groups[0]["lr"] = 0.1
    opt.step()  # the penalty's gradient 2 * 0.5 * w, the constraint no longer
    np.testing.assert_allclose(w.tolist(), [3.0 - 0.1 * 3.0, 0.0])
