"""model.summary() prints a Keras-style table and returns None; mt.nn.summarize gives the rows
(containers with their children beneath) and the totals, and its repr is the table."""

import numpy as np

import minitorch_es as mt
from minitorch_es import nn


class Affine(nn.Module):
    """``x @ weight.T + bias`` (written here: the summary must work with core-only models)."""

    def __init__(self, in_features, out_features):
        super().__init__()
        self.weight = nn.Parameter(mt.randn(out_features, in_features))
        self.bias = nn.Parameter(mt.zeros(out_features))

    def forward(self, x):
        return x @ self.weight.T + self.bias


class Square(nn.Module):
    """A layer without parameters."""

    def forward(self, x):
        return x * x


def tiny_model():
    model = nn.Sequential(Affine(3, 4), Square(), nn.Sequential(Affine(4, 2)))
    model[2][0].bias.requires_grad_(False)  # 2 non-trainable parameters
    return model


TABLE = """\
Model: "Sequential"
=====================================
Layer (type)    Output Shape  Param #
=====================================
0 (Affine)      (None, 4)     16
1 (Square)      (None, 4)     0
2 (Sequential)  (None, 2)     10
  2.0 (Affine)  (None, 2)     10
=====================================
Total params: 26
Trainable params: 24
Non-trainable params: 2
====================================="""


def test_summary_prints_the_table_and_returns_none():
    printed = []
    assert tiny_model().summary((3,), print_fn=printed.append) is None  # the REPL echoes nothing
    assert printed == [TABLE]


def test_summarize_rows_nesting_and_totals():
    found = mt.nn.summarize(tiny_model(), (3,))
    assert [(r.name, r.type, r.output_shape, r.params, r.depth) for r in found.layers] == [
        ("0", "Affine", (None, 4), 16, 1),
        ("1", "Square", (None, 4), 0, 1),
        ("2", "Sequential", (None, 2), 10, 1),
        ("2.0", "Affine", (None, 2), 10, 2),
    ]
    # Reference counts written here: weights + biases, the frozen bias excluded from trainable.
    assert (found.total_params, found.trainable_params, found.non_trainable_params) == (
        3 * 4 + 4 + 4 * 2 + 2,
        3 * 4 + 4 + 4 * 2,
        2,
    )
    assert repr(found) == str(found) == TABLE


def test_summary_leaves_the_model_as_it_was():
    model = tiny_model()
    model[1].eval()  # a part kept in eval mode stays so
    before = {k: v.clone() for k, v in model.state_dict().items()}
    mt.nn.summary(model, (3,), print_fn=None)
    mt.nn.summarize(model, (3,))
    assert [m.training for m in model.modules()] == [True, True, False, True, True]
    assert not any(m._forward_hooks for m in model.modules())
    assert all(p.grad is None for p in model.parameters())  # run under no_grad
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(np.asarray(v), before[k])
    model.eval()
    mt.nn.summarize(model, (3,))
    assert not model.training


def test_summarize_without_input_shape_and_for_a_single_layer():
    found = mt.nn.summarize(tiny_model())
    assert [r.output_shape for r in found.layers] == [None] * 4
    assert found.total_params == 26
    assert "0 (Affine)      ?             16" in str(found)
    single = mt.nn.summarize(Affine(5, 3), (5,))
    assert [(r.name, r.type, r.output_shape, r.params) for r in single.layers] == [
        ("Affine", "Affine", (None, 3), 18)
    ]


def test_summarize_a_float64_model_and_unreached_layers():
    class Branchy(nn.Module):
        def __init__(self):
            super().__init__()
            self.used = Affine(2, 2)
            self.unused = Affine(2, 7)

        def forward(self, x):
            return self.used(x)

    model = Branchy().double()  # the sample follows the parameters' dtype
    found = mt.nn.summarize(model, (2,))
    assert [(r.name, r.output_shape, r.params) for r in found.layers] == [
        ("used", (None, 2), 6),
        ("unused", None, 21),
    ]
    image = mt.nn.summarize(nn.Sequential(Square()), (1, 4, 4))
    assert image.layers[0].output_shape == (None, 1, 4, 4)
