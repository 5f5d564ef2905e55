"""Module and container API that PyTorch programs use: ParameterList/Dict, insert/pop,
dotted lookups, full backward hooks, buffers as Tensors, state dicts of detached views."""

import copy

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es import nn


def test_parameter_list_and_dict_register_their_parameters():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.ps = nn.ParameterList([nn.Parameter(mt.ones(2, 2)) for _ in range(2)])
            self.pd = nn.ParameterDict({"scale": nn.Parameter(mt.full((2,), 3.0))})

        def forward(self, x):
            for p in self.ps:
                x = x @ p
            return x * self.pd["scale"]

    m = M()
    assert [n for n, _ in m.named_parameters()] == ["ps.0", "ps.1", "pd.scale"]
    m(mt.ones(1, 2)).sum().backward()
    np.testing.assert_allclose(m.pd["scale"].grad._data, [4.0, 4.0])
    m.ps.append(mt.zeros(2))  # a Tensor becomes a Parameter
    assert isinstance(m.ps[-1], nn.Parameter) and len(m.ps) == 3
    assert m.pd.pop("scale").shape == (2,) and len(m.pd) == 0
    with pytest.raises(TypeError, match="expected a Parameter or a Tensor"):
        m.ps.append([1.0])
    with pytest.raises(IndexError, match="out of range"):
        m.ps[5]


def test_container_insert_pop_and_clear_renumber_as_pytorch():
    relu, tanh, sig = nn.ReLU(), nn.Tanh(), nn.Sigmoid()
    seq = nn.Sequential(relu, tanh).insert(1, sig)
    assert list(seq) == [relu, sig, tanh] and list(seq._modules) == ["0", "1", "2"]
    assert seq.pop(0) is relu and list(seq._modules) == ["0", "1"]
    seq.extend([relu])
    assert seq[-1] is relu
    ml = nn.ModuleList([relu, tanh])
    ml.insert(-1, sig)
    assert list(ml) == [relu, sig, tanh]
    del ml[0]
    assert list(ml._modules) == ["0", "1"] and ml.pop() is tanh
    md = nn.ModuleDict({"a": relu, "b": tanh})
    assert md.pop("a") is relu and list(md) == ["b"]
    md.clear()
    assert len(md) == 0
    with pytest.raises(IndexError, match="insert"):
        ml.insert(5, relu)


def test_dotted_lookups():
    m = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    assert m.get_submodule("1") is m[1] and m.get_submodule("") is m
    assert m.get_parameter("0.weight") is m[0].weight
    assert m.get_buffer("1.running_var") is m[1].running_var
    m.set_submodule("0", nn.Identity())
    assert isinstance(m[0], nn.Identity)
    with pytest.raises(AttributeError, match="has no submodule 'x'"):
        m.get_submodule("1.x")
    with pytest.raises(AttributeError, match="no parameter 'nope'"):
        m.get_parameter("1.nope")


def test_full_backward_hooks_see_and_replace_gradients():
    lin = nn.Linear(3, 2)
    seen = []
    lin.register_full_backward_pre_hook(lambda mod, go: (go[0] * 2,))
    handle = lin.register_full_backward_hook(lambda mod, gi, go: seen.append((gi, go)))
    x = mt.randn(4, 3, requires_grad=True)
    lin(x).sum().backward()
    (gi,), (go,) = seen[0]
    np.testing.assert_allclose(go._data, np.full((4, 2), 2.0))  # replaced by the pre-hook
    np.testing.assert_allclose(gi._data, x.grad._data)
    np.testing.assert_allclose(
        x.grad._data, 2 * lin.weight._data.sum(0) * np.ones((4, 1)), rtol=1e-6
    )
    handle.remove()
    lin(mt.randn(4, 3)).sum().backward()  # no input needs a gradient: hooks see None
    assert len(seen) == 1
    lin.register_full_backward_hook(lambda mod, gi, go: seen.append(gi))
    lin(mt.randn(4, 3)).sum().backward()
    assert seen[-1] == (None,)


def test_a_backward_hook_returning_the_wrong_count_raises():
    lin = nn.Linear(3, 2)
    lin.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[0]))
    with pytest.raises(RuntimeError, match="returned 2 values for grad_input, expected 1"):
        lin(mt.randn(4, 3, requires_grad=True)).sum().backward()


def test_buffers_are_tensors_and_state_dicts_share_memory():
    bn = nn.BatchNorm1d(3)
    assert isinstance(bn.running_mean, mt.Tensor) and not bn.running_mean.requires_grad
    sd = bn.state_dict()
    snapshot = copy.deepcopy(sd)
    bn(mt.randn(8, 3))  # training: the running statistics move
    assert not np.array_equal(sd["running_mean"]._data, snapshot["running_mean"]._data)
    assert np.array_equal(sd["running_mean"]._data, bn.running_mean._data)
    bn.load_state_dict(snapshot)
    np.testing.assert_array_equal(bn.running_mean._data, [0.0, 0.0, 0.0])


def test_compile_and_half_are_accepted():
    m = nn.Linear(2, 2)
    assert mt.compile(m) is m and m.compile() is None
    assert m.half().weight.dtype == mt.float16
