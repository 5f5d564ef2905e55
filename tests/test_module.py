"""Module: registration by assignment, traversal, modes, dtype, hooks, repr, shape-error names."""

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es import nn


class Affine(nn.Module):
    """``x @ weight.T + bias``, written here so that no catalog layer is needed."""

    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.weight = nn.Parameter(mt.randn(out_features, in_features))
        self.bias = nn.Parameter(mt.zeros(out_features)) if bias else None

    def forward(self, x):
        y = x @ self.weight.T
        return y if self.bias is None else y + self.bias

    def extra_repr(self):
        return f"in_features={self.weight.shape[1]}, out_features={self.weight.shape[0]}"


class Block(nn.Module):
    """Two Affine layers and a buffer."""

    def __init__(self):
        super().__init__()
        self.fc1 = Affine(2, 3)
        self.fc2 = Affine(3, 1)
        self.register_buffer("count", np.zeros(1, dtype=np.int64))

    def forward(self, x):
        return self.fc2(self.fc1(x))


def test_assignment_registers_parameters_children_and_buffers():
    b = Block()
    assert list(b._parameters) == [] and list(b._modules) == ["fc1", "fc2"]
    assert [n for n, _ in b.named_parameters()] == [
        "fc1.weight",
        "fc1.bias",
        "fc2.weight",
        "fc2.bias",
    ]
    assert [p.shape for p in b.parameters()] == [(3, 2), (3,), (1, 3), (1,)]
    assert [n for n, _ in b.named_buffers()] == ["count"]
    assert b.count is b._buffers["count"] and isinstance(b.fc1.weight, nn.Parameter)
    assert list(b.parameters(recurse=False)) == []
    assert "fc1" in dir(b) and "count" in dir(b)
    del b.fc2
    assert [n for n, _ in b.named_children()] == ["fc1"]
    with pytest.raises(AttributeError, match="'Block' object has no attribute 'fc2'"):
        b.fc2
    # A plain attribute replaced by a Parameter becomes a parameter (and vice versa for None).
    m = nn.Module()
    m.w = 1.0
    m.w = nn.Parameter(mt.ones(2))
    assert "w" in m._parameters and "w" not in m.__dict__
    m.w = None
    assert m.w is None and list(m.parameters()) == []


def test_assigning_a_non_parameter_where_a_parameter_is_registered_raises():
    a = Affine(2, 2)
    with pytest.raises(TypeError, match=r"'Tensor' as parameter 'weight' of Affine"):
        a.weight = mt.randn(2, 2)
    with pytest.raises(TypeError, match=r"'ndarray' as parameter 'bias'"):
        a.bias = np.zeros(2)
    b = Block()
    with pytest.raises(TypeError, match=r"'int' as child module 'fc1' of Block"):
        b.fc1 = 3
    with pytest.raises(TypeError, match=r"'list' as buffer 'count' of Block"):
        b.count = [1]
    b.count = None  # a registered buffer may be cleared, as in PyTorch
    assert b.count is None and "count" not in b.state_dict()


def test_assigning_before_module_init_raises():
    class Early(nn.Module):
        def __init__(self, what):
            if what == "param":
                self.w = nn.Parameter(mt.ones(1))
            elif what == "module":
                self.child = nn.Module()
            else:
                self.register_buffer("b", np.ones(1))
            super().__init__()

    with pytest.raises(AttributeError, match=r"cannot assign Parameter 'w' before Module"):
        Early("param")
    with pytest.raises(AttributeError, match=r"cannot assign Module 'child' before Module"):
        Early("module")
    with pytest.raises(AttributeError, match="cannot assign buffer before Module"):
        Early("buffer")

    class NoSuper(nn.Module):
        def __init__(self):
            pass

    with pytest.raises(RuntimeError, match=r"NoSuper was called before Module.__init__\(\) ran"):
        NoSuper()(mt.ones(1))


def test_register_methods_validate_their_arguments():
    m = nn.Module()
    with pytest.raises(TypeError, match=r"'Tensor' object to parameter 'w' \(Parameter or None"):
        m.register_parameter("w", mt.ones(1))
    with pytest.raises(KeyError, match="can't contain '.'"):
        m.register_parameter("a.b", nn.Parameter(mt.ones(1)))
    with pytest.raises(KeyError, match="can't contain '.' or be empty"):
        m.register_buffer("", np.ones(1))
    with pytest.raises(TypeError, match="buffer name should be a str, got int"):
        m.register_buffer(3, np.ones(1))
    with pytest.raises(KeyError, match="attribute 'forward' already exists on Module"):
        m.add_module("forward", nn.Module())
    with pytest.raises(TypeError, match="int is not a Module subclass"):
        m.add_module("x", 3)
    m.register_parameter("p", None)
    m.register_module("child", nn.Module())
    assert m.p is None and list(m.children()) == [m.child]
    with pytest.raises(NotImplementedError, match="Module must implement forward"):
        m(mt.ones(1))


def test_buffers_persistent_and_non_persistent():
    m = nn.Module()
    m.register_buffer("running", mt.tensor([1.0, 2.0]))
    m.register_buffer("scratch", np.zeros(3), persistent=False)  # an array becomes a Tensor
    assert isinstance(m.running, mt.Tensor) and isinstance(m.scratch, mt.Tensor)
    assert [n for n, _ in m.named_buffers()] == ["running", "scratch"]
    assert [b.shape for b in m.buffers()] == [(2,), (3,)] and next(m.buffers()) is m.running
    assert list(m.state_dict()) == ["running"]
    m.running = np.array([5.0, 6.0])  # assigning to a registered buffer replaces it
    np.testing.assert_array_equal(m.state_dict()["running"], [5.0, 6.0])
    m.register_buffer("scratch", np.ones(3))  # registered again, persistent this time
    assert list(m.state_dict()) == ["running", "scratch"]
    with pytest.raises(TypeError, match="buffer 'bad' of Module"):
        m.register_buffer("bad", [1, 2])


def test_traversal_orders_and_shared_modules():
    shared = Affine(1, 1)
    outer = nn.Module()
    outer.a = Block()
    outer.b = shared
    outer.c = shared  # the same child under two names
    names = [n for n, _ in outer.named_modules()]
    assert names == ["", "a", "a.fc1", "a.fc2", "b"]
    assert [n for n, _ in outer.named_modules(remove_duplicate=False)] == names + ["c"]
    assert [n for n, _ in outer.named_children()] == ["a", "b"]
    assert list(outer.modules())[0] is outer and list(outer.children()) == [outer.a, shared]
    assert [n for n, _ in outer.named_modules(prefix="model")][:2] == ["model", "model.a"]
    assert [n for n, _ in outer.named_buffers(prefix="m")] == ["m.a.count"]
    assert [n for n, _ in outer.named_buffers(recurse=False)] == []


def test_named_parameters_lists_a_shared_parameter_once():
    a, b = Affine(2, 2), Affine(2, 2)
    b.weight = a.weight  # tied weights
    m = nn.Sequential(a, b)
    assert [n for n, _ in m.named_parameters()] == ["0.weight", "0.bias", "1.bias"]
    assert [n for n, _ in m.named_parameters(remove_duplicate=False)] == [
        "0.weight",
        "0.bias",
        "1.weight",
        "1.bias",
    ]
    assert len(list(m.parameters())) == 3
    assert [n for n, _ in m.named_parameters(prefix="net")][0] == "net.0.weight"


def test_apply_visits_children_first_then_self():
    b = Block()
    visited = []
    assert b.apply(lambda m: visited.append(type(m).__name__)) is b
    assert visited == ["Affine", "Affine", "Block"]

    def fill(m):
        if isinstance(m, Affine):
            m.weight._data[...] = 0.5

    b.apply(fill)
    assert all((p._data == 0.5).all() for n, p in b.named_parameters() if n.endswith("weight"))


def test_train_eval_and_overridden_train():
    class Frozen(nn.Module):
        """Stays in eval mode whatever its parent says (a subclass overriding train)."""

        def train(self, mode=True):
            return super().train(False)

    m = nn.Sequential(Block(), Frozen())
    assert m.training and m[0].fc1.training
    assert m.eval() is m
    assert not any(x.training for x in m.modules())
    assert m.train() is m
    assert m.training and m[0].fc2.training and not m[1].training
    with pytest.raises(ValueError, match="training mode is expected to be boolean, got str"):
        m.train("yes")


def test_requires_grad_and_zero_grad():
    b = Block()
    b(mt.randn(4, 2)).sum().backward()
    assert all(p.grad is not None for p in b.parameters())
    b.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.any() for p in b.parameters())
    b.zero_grad()
    assert all(p.grad is None for p in b.parameters())
    assert b.requires_grad_(False) is b
    assert not any(p.requires_grad for p in b.parameters())
    assert not b(mt.randn(4, 2)).requires_grad
    b.fc2.requires_grad_()
    assert [p.requires_grad for p in b.parameters()] == [False, False, True, True]


def test_to_double_float_convert_parameters_and_float_buffers():
    b = Block()
    b.register_buffer("scale", np.ones(2, dtype=np.float32))
    w = b.fc1.weight
    before = w._data.copy()
    assert b.double() is b
    assert b.fc1.weight is w  # converted in place, as PyTorch: same Parameter object
    assert {p.dtype for p in b.parameters()} == {np.dtype(np.float64)}
    assert b.scale.dtype == np.float64 and b.count.dtype == np.int64  # int buffers untouched
    np.testing.assert_array_equal(w._data, before)
    x = mt.randn(3, 2, dtype=mt.float64)
    assert b(x).dtype == np.float64
    assert b.float().fc2.bias.dtype == np.float32 and b.to(mt.float64).scale.dtype == np.float64
    with pytest.raises(TypeError, match="only accepts floating point dtypes, got torch.int32"):
        b.to(np.int32)


def test_forward_hooks_and_handles():
    a = Affine(2, 2)
    calls = []
    pre = a.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    post = a.register_forward_hook(lambda m, args, out: calls.append(out.shape) or out + 1)
    out = a(mt.randn(3, 2))
    np.testing.assert_allclose(out._data, np.ones((3, 2)) + a.bias._data)  # zeroed input, +1
    assert calls == [(3, 2)]
    pre.remove()
    post.remove()
    x = mt.randn(3, 2)
    np.testing.assert_allclose(a(x)._data, x._data @ a.weight._data.T + a.bias._data, rtol=1e-6)
    with a.register_forward_hook(lambda m, args, out: None):  # None keeps the output
        np.testing.assert_allclose(a(x)._data, x._data @ a.weight._data.T + a.bias._data, rtol=1e-6)
    assert not a._forward_hooks


def test_repr_is_a_tree():
    m = nn.Sequential(Block(), Affine(1, 4, bias=False))
    assert repr(m) == (
        "Sequential(\n"
        "  (0): Block(\n"
        "    (fc1): Affine(in_features=2, out_features=3)\n"
        "    (fc2): Affine(in_features=3, out_features=1)\n"
        "  )\n"
        "  (1): Affine(in_features=1, out_features=4)\n"
        ")"
    )

    class Tagged(Block):
        def extra_repr(self):
            return "tag=1"

    assert repr(Tagged()).startswith("Tagged(\n  tag=1\n  (fc1): Affine(")  # PyTorch's layout
    assert repr(nn.Module()) == "Module()"


def test_shape_errors_name_the_failing_layer_through_nested_modules():
    class Stack(nn.Module):
        """Calls layers kept in a ModuleList (the list itself is never called)."""

        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([Affine(2, 3), Affine(4, 1)])

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

    model = nn.Sequential(Affine(2, 2), nn.Sequential(Affine(2, 2), Stack()))
    with pytest.raises(mt.ShapeError) as info:
        model(mt.randn(5, 2))
    assert str(info.value).startswith("in layer '1.1.layers.1' (Affine): matmul: shapes (5, 3)")
    assert isinstance(info.value, ValueError) and isinstance(info.value, RuntimeError)
    with pytest.raises(mt.ShapeError, match=r"^matmul"):  # a layer called alone: no prefix
        Affine(2, 2)(mt.randn(5, 3))


# ----------------------------------------------------------------------------- state dicts
def test_state_dict_has_dotted_keys_and_detached_views():
    b = Block()
    sd = b.state_dict()
    # As PyTorch: a module's own entries first, then its children's.
    assert list(sd) == ["count", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert all(isinstance(v, mt.Tensor) and not v.requires_grad for v in sd.values())
    sd["fc1.weight"][...] = 42  # as PyTorch: the entries share the model's memory
    assert (b.fc1.weight._data == 42).all()
    assert b.state_dict(keep_vars=True)["fc1.weight"] is b.fc1.weight
    assert list(b.state_dict(prefix="net."))[1] == "net.fc1.weight"
    shared = Affine(1, 1)
    m = nn.Module()
    m.a, m.b = shared, shared  # as PyTorch: a shared module is saved under both names
    assert list(m.state_dict()) == ["a.weight", "a.bias", "b.weight", "b.bias"]
    m.load_state_dict(m.state_dict())


def test_load_state_dict_copies_into_the_existing_arrays():
    src, dst = Block(), Block()
    src.count[...] = 7
    weight = dst.fc1.weight
    array = weight._data
    assert dst.load_state_dict(src.state_dict()) == ([], [])
    assert dst.fc1.weight is weight and dst.fc1.weight._data is array  # never rebound
    for (name, p), q in zip(dst.named_parameters(), src.parameters()):
        np.testing.assert_array_equal(p._data, q._data, err_msg=name)
    assert dst.count[0] == 7
    # Tensors and nested lists are accepted as values.
    dst.load_state_dict({**src.state_dict(), "fc2.bias": mt.tensor([3.0]), "count": [[1]][0]})
    assert dst.fc2.bias._data[0] == 3.0 and dst.count[0] == 1


def test_load_state_dict_lists_every_problem_at_once():
    b = Block()
    sd = b.state_dict()
    del sd["fc1.bias"], sd["count"]
    sd["fc9.weight"] = np.zeros(1)
    sd["fc2.weight"] = np.zeros((3, 1))
    with pytest.raises(RuntimeError) as info:
        b.load_state_dict(sd)
    message = str(info.value)
    assert message.startswith("Error(s) in loading state_dict for Block:")
    assert "missing keys: count, fc1.bias" in message
    assert "unexpected keys: fc9.weight" in message
    assert "fc2.weight: expected shape (1, 3), got (3, 1)" in message
    # strict=False reports instead of raising; a shape mismatch still raises.
    with pytest.raises(RuntimeError, match="size mismatch"):
        b.load_state_dict(sd, strict=False)
    sd["fc2.weight"] = np.full((1, 3), 2.0)
    result = b.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["count", "fc1.bias"]
    assert result.unexpected_keys == ["fc9.weight"]
    assert (b.fc2.weight._data == 2).all()
    with pytest.raises(TypeError, match="expected state_dict to be dict-like, got list"):
        b.load_state_dict([1, 2])
