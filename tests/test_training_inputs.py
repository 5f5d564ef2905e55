"""Training inputs that used to pass silently: learning rates that are NaN, infinite or text,
a shuffle flag that is not a bool, a fit with no batches, and an empty batch into a loss
(which gives what PyTorch gives)."""

import warnings

import numpy as np
import pytest
from torch_parity import reference

import minitorch_es as mt

F = mt.nn.functional
OPTIMIZERS = mt.registry.names("optimizer")


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize(
    "lr, error, match",
    [
        (float("nan"), ValueError, r"Invalid learning rate: nan \(expected lr >= 0\)"),
        (float("inf"), ValueError, r"Invalid learning rate: inf \(expected a finite lr\)"),
        (-0.1, ValueError, "Invalid learning rate: -0.1"),
        ("0.1", TypeError, r"Invalid learning rate: '0.1' \(expected a number >= 0, got str\)"),
        (True, TypeError, "got bool"),
    ],
)
def test_learning_rates_are_checked_by_every_optimizer(name, lr, error, match):
    params = [mt.nn.Parameter(mt.zeros(2))]
    cls = mt.registry.get("optimizer", name)
    with pytest.raises(error, match=match):
        cls(params, lr=lr)
    with pytest.raises(error, match=match):  # a param group's own lr too
        cls([{"params": params, "lr": lr}], lr=0.01)


def test_learning_rate_values_that_are_fine():
    from minitorch_es.optim.optimizer import check_learning_rate

    check_learning_rate(None)  # an optimizer without a learning rate
    p = mt.nn.Parameter(mt.zeros(2))
    for lr in (0, 0.5, np.float32(0.1), 3, mt.tensor(0.01)):
        mt.optim.SGD([p], lr=lr)
    with pytest.raises(TypeError, match=r"Invalid learning rate: tensor\(\[0.1000, 0.2000\]\)"):
        mt.optim.SGD([p], lr=mt.tensor([0.1, 0.2]))
    with pytest.raises(ValueError, match="Invalid learning rate: nan"):
        mt.optim.SGD([p], lr=mt.tensor(float("nan")))


@pytest.mark.parametrize("name", ["shuffle", "drop_last"])
@pytest.mark.parametrize("value", ["yes", 1, 0.0, [True]])
def test_loader_flags_must_be_bools(name, value):
    data = mt.data.TensorDataset(mt.zeros(4, 2))
    with pytest.raises(TypeError, match=f"DataLoader expected {name} to be a bool, got"):
        mt.data.DataLoader(data, **{name: value})
    for fine in (True, False, np.bool_(True), None):
        mt.data.DataLoader(data, **{name: fine})


def test_fit_refuses_data_that_gives_no_batches():
    x = mt.randn(5, 2)
    y = (x[:, 0] > 0).long()
    trainer = mt.Trainer(mt.nn.Linear(2, 2), optimizer="sgd", loss="cross_entropy")
    loader = mt.data.DataLoader(mt.data.TensorDataset(x, y), batch_size=8, drop_last=True)
    with pytest.raises(ValueError) as info:
        trainer.fit(loader, epochs=1, verbose=0)
    assert str(info.value) == (
        "fit: the training data gives no batches (5 samples, batch_size=8, drop_last=True); "
        "use a smaller batch_size or drop_last=False"
    )
    with pytest.raises(ValueError, match="fit: the validation data gives no batches"):
        trainer.fit(x, y, epochs=1, verbose=0, validation_data=loader)
    with pytest.raises(TypeError, match="shuffle to be a bool"):
        trainer.fit(x, y, epochs=1, verbose=0, shuffle="yes")


def torch_empty_batch(torch):
    F = torch.nn.functional
    out = {}
    for reduction in ("mean", "sum", "none"):
        x = torch.zeros(0, 3, requires_grad=True)
        loss = F.cross_entropy(x, torch.zeros(0, dtype=torch.long), reduction=reduction)
        loss.sum().backward()
        out[f"ce_{reduction}"], out[f"ce_grad_{reduction}"] = loss, x.grad
        y = torch.zeros(0, 2, requires_grad=True)
        loss = F.mse_loss(y, torch.zeros(0, 2), reduction=reduction)
        loss.sum().backward()
        out[f"mse_{reduction}"], out[f"mse_grad_{reduction}"] = loss, y.grad
    return out


def test_an_empty_batch_gives_what_pytorch_gives():
    ref = reference("losses/empty_batch", torch_empty_batch)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy "mean of empty slice" either
        for reduction in ("mean", "sum", "none"):
            x = mt.zeros(0, 3, requires_grad=True)
            loss = F.cross_entropy(x, mt.tensor(np.zeros(0, np.int64)), reduction=reduction)
            loss.sum().backward()
            ours = {"ce": (loss, x.grad)}
            y = mt.zeros(0, 2, requires_grad=True)
            loss = F.mse_loss(y, mt.zeros(0, 2), reduction=reduction)
            loss.sum().backward()
            ours["mse"] = (loss, y.grad)
            for name, (value, grad) in ours.items():
                expected = ref[f"{name}_{reduction}"]
                np.testing.assert_array_equal(np.asarray(value), expected)  # NaN == NaN here
                assert np.asarray(value).shape == expected.shape
                assert np.asarray(grad).shape == ref[f"{name}_grad_{reduction}"].shape
