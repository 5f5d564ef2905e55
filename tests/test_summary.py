"""model.summary(): a Keras-style table of layers, output shapes and parameter counts."""

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


def test_summary_rows_and_totals():
    model = tiny_model()
    printed = []
    result = model.summary((3,), print_fn=printed.append)
    assert [(r["name"], r["type"], r["output_shape"], r["params"]) for r in result["layers"]] == [
        ("0", "Affine", (None, 4), 16),
        ("1", "Square", (None, 4), 0),
        ("2.0", "Affine", (None, 2), 10),
    ]
    assert (result["total_params"], result["trainable_params"], result["non_trainable_params"]) == (
        26,
        24,
        2,
    )
    assert printed == [
        "\n".join(
            [
                'Model: "Sequential"',
                "=" * 37,
                "Layer (type)  Output Shape  Param #",
                "=" * 37,
                "0 (Affine)    (None, 4)     16",
                "1 (Square)    (None, 4)     0",
                "2.0 (Affine)  (None, 2)     10",
                "=" * 37,
                "Total params: 26",
                "Trainable params: 24",
                "Non-trainable params: 2",
                "=" * 37,
            ]
        )
    ]


def test_summary_leaves_the_model_as_it_was():
    model = tiny_model()
    model[1].eval()  # a part kept in eval mode stays so
    before = {k: v.clone() for k, v in model.state_dict().items()}
    mt.nn.summary(model, (3,), print_fn=None)
    assert [m.training for m in model.modules()] == [True, True, False, True, True]
    assert not any(m._forward_hooks for m in model.modules())
    assert all(p.grad is None for p in model.parameters())  # run under no_grad
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, before[k])
    model.eval()
    model.summary((3,), print_fn=None)
    assert not model.training


def test_summary_without_input_shape_and_for_a_single_layer():
    result = tiny_model().summary(print_fn=None)
    assert [r["output_shape"] for r in result["layers"]] == [None, None, None]
    assert result["total_params"] == 26
    printed = []
    tiny_model().summary(print_fn=printed.append)
    assert "0 (Affine)    ?             16" in printed[0]
    single = Affine(5, 3).summary((5,), print_fn=None)
    assert single["layers"] == [
        {"name": "Affine", "type": "Affine", "output_shape": (None, 3), "params": 18}
    ]


def test_summary_of_a_float64_model_and_of_unreached_layers():
    class Branchy(nn.Module):
        def __init__(self):
            super().__init__()
            self.used = Affine(2, 2)
            self.unused = Affine(2, 7)

        def forward(self, x):
            return self.used(x)

    model = Branchy().double()  # the sample follows the parameters' dtype
    result = model.summary((2,), print_fn=None)
    assert [(r["name"], r["output_shape"], r["params"]) for r in result["layers"]] == [
        ("used", (None, 2), 6),
        ("unused", None, 21),
    ]
    image = nn.Sequential(Square()).summary((1, 4, 4), print_fn=None)
    assert image["layers"][0]["output_shape"] == (None, 1, 4, 4)
