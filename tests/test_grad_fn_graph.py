"""``grad_fn.next_functions`` shows PyTorch's graph where one fused op stands for several of
PyTorch's nodes: a 2-D Linear is ``addmm(bias, input, weight.t())``. Compared with the graph
PyTorch 2.13 records (tests/fixtures/torch/autograd/linear_graph_*.npz)."""

import numpy as np
import pytest

import minitorch_es as mt
from tests.torch_parity import reference


def graph(lib, bias: bool, given: str, weight_grad: bool) -> np.ndarray:
    """The names of the nodes two levels below a Linear's output, in ``lib``, one
    ``"parent: child, child"`` line per node reached."""
    lib.manual_seed(0)
    layer = lib.nn.Linear(3, 2, bias=bias)
    layer.weight.requires_grad_(weight_grad)
    x = lib.ones(4, 3, requires_grad=given != "constant")
    y = layer(lib.relu(x) if given == "relu" else x)
    lines, level = [], [y.grad_fn]
    for _ in range(2):
        below = []
        for node in level:
            children = [n for n, _ in node.next_functions]
            names = ", ".join("None" if n is None else n.name() for n in children)
            lines.append(f"{node.name()}: {names}")
            below += [n for n in children if n is not None]
        level = below
    return np.array(lines)


CASES = [
    (bias, given, weight_grad)
    for bias in (True, False)
    for given in ("relu", "leaf", "constant")
    for weight_grad in (True, False)
    if weight_grad or given != "constant"  # else nothing requires grad: no graph
]


@pytest.mark.parametrize("bias, given, weight_grad", CASES)
def test_linear_shows_pytorchs_graph(bias, given, weight_grad):
    name = f"autograd/linear_graph_{int(bias)}_{given}_{int(weight_grad)}"
    expected = reference(name, lambda torch: graph(torch, bias, given, weight_grad))
    assert graph(mt, bias, given, weight_grad).tolist() == expected.tolist()


def test_the_transpose_node_leads_to_the_weight():
    layer = mt.nn.Linear(3, 2)
    y = layer(mt.ones(4, 3))
    shown, _ = y.grad_fn.next_functions[2]
    assert repr(shown).startswith("<TBackward0 object at 0x")
    assert shown.next_functions[0][0].variable is layer.weight


def test_more_than_two_dimensions_keep_the_fused_node():
    layer = mt.nn.Linear(3, 2)
    x = mt.ones(5, 4, 3, requires_grad=True)
    y = layer(x)
    assert y.grad_fn.name() == "ViewBackward0"
    leaves = [n.variable for n, _ in y.grad_fn.next_functions]
    assert leaves[0] is x and leaves[1] is layer.weight and leaves[2] is layer.bias
