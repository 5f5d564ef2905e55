"""PyTorch's optimizer signatures, to the parameter (names, order, which are keyword-only,
defaults), and its implementation switches ``foreach``, ``fused``, ``capturable`` and
``differentiable`` (see minitorch_es/optim/implementation_flags.py). Compared with PyTorch 2.13
through recorded fixtures (tests/fixtures/torch/optim/)."""

import inspect

import numpy as np
import pytest
from torch_parity import reference

import minitorch_es as mt

NAMES = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam"]
NAMES += ["ASGD", "Rprop"]


def signature(optim, name: str) -> np.ndarray:
    """One ``name:kind:default`` line per parameter of ``optim.<name>``."""
    parameters = inspect.signature(getattr(optim, name)).parameters.values()
    return np.array([f"{p.name}:{p.kind.name}:{p.default!r}" for p in parameters])


def group_keys(lib, name: str) -> np.ndarray:
    """The keys of the first parameter group, sorted."""
    params = [lib.nn.Parameter(lib.ones(2))]
    extra = {"lr": 0.1} if name == "SGD" else {}
    return np.array(sorted(getattr(lib.optim, name)(params, **extra).param_groups[0]))


@pytest.mark.parametrize("name", NAMES)
def test_signature_and_param_groups_are_pytorchs(name):
    expected = reference(
        f"optim/switches_{name.lower()}",
        lambda torch: {"signature": signature(torch.optim, name), "keys": group_keys(torch, name)},
    )
    assert signature(mt.optim, name).tolist() == expected["signature"].tolist()
    assert group_keys(mt, name).tolist() == expected["keys"].tolist()


def train(**switches) -> np.ndarray:
    mt.manual_seed(0)
    model = mt.nn.Linear(3, 2)
    optimizer = mt.optim.Adam(model.parameters(), lr=0.1, **switches)
    x = mt.randn(8, 3)
    for _ in range(3):
        optimizer.zero_grad()
        (model(x) ** 2).mean().backward()
        optimizer.step()
    return model.weight.numpy(force=True).copy()


@pytest.mark.parametrize("switches", [{"foreach": True}, {"foreach": False}, {"fused": True}])
def test_foreach_and_fused_are_kept_and_change_nothing(switches):
    np.testing.assert_array_equal(train(**switches), train())
    group = mt.optim.SGD([mt.nn.Parameter(mt.ones(2))], lr=0.1, **switches).param_groups[0]
    assert all(group[k] == v for k, v in switches.items())


@pytest.mark.parametrize(
    "switches, error, message",
    [
        ({"foreach": True, "fused": True}, RuntimeError, "`fused` and `foreach` cannot be"),
        ({"fused": True, "differentiable": True}, RuntimeError, "`fused` does not support"),
        ({"capturable": True}, RuntimeError, "Adam: capturable=True prepares the step for"),
        ({"differentiable": True}, NotImplementedError, "Adam: differentiable=True"),
        ({"foreach": "yes"}, TypeError, "Adam: foreach must be None, True or False, got 'yes'"),
        ({"capturable": None}, TypeError, "Adam: capturable must be True or False, got None"),
    ],
)
def test_switches_that_cannot_be_honoured_are_refused(switches, error, message):
    with pytest.raises(error, match=message):
        mt.optim.Adam([mt.nn.Parameter(mt.ones(2))], **switches)


def test_a_later_param_group_is_checked_too():
    optimizer = mt.optim.SGD([mt.nn.Parameter(mt.ones(2))], lr=0.1)
    with pytest.raises(RuntimeError, match="cannot be `True` together"):
        optimizer.add_param_group(
            {"params": [mt.nn.Parameter(mt.ones(2))], "foreach": True, "fused": True}
        )


def test_a_state_dict_saved_without_the_switches_still_loads():
    params = [mt.nn.Parameter(mt.ones(2))]
    optimizer = mt.optim.Adam(params, fused=True)
    state = optimizer.state_dict()
    for key in ("foreach", "fused", "capturable", "differentiable"):
        del state["param_groups"][0][key]  # as written before the switches existed
    optimizer.load_state_dict(state)
    assert optimizer.param_groups[0]["fused"] is True
