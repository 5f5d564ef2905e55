"""``mt.nn.modules.<file>.<Class>``: PyTorch's module paths of its layers (named in
``torch.serialization.safe_globals([...])`` lists) are mt.nn's classes; ``MultiheadAttention``'s
``out_proj`` is a ``NonDynamicallyQuantizableLinear`` as in PyTorch."""

import importlib

import pytest

import minitorch_es as mt
from minitorch_es.nn.modules import FILES


@pytest.mark.parametrize("file", FILES)
def test_each_file_is_a_module_giving_mt_nn_classes(file):
    module = importlib.import_module(f"minitorch_es.nn.modules.{file}")
    assert module is getattr(mt.nn.modules, file)
    assert module.Linear is mt.nn.Linear and module.Sequential is mt.nn.Sequential


def test_word_language_models_list_resolves():
    modules = mt.nn.modules
    assert modules.rnn.LSTM is mt.nn.LSTM and modules.sparse.Embedding is mt.nn.Embedding
    assert modules.transformer.TransformerEncoderLayer is mt.nn.TransformerEncoderLayer
    assert issubclass(modules.linear.NonDynamicallyQuantizableLinear, mt.nn.Linear)


def test_an_unknown_name_says_what_the_path_holds():
    with pytest.raises(AttributeError, match=r"'minitorch_es.nn.modules.rnn' has no .*'Foo'"):
        mt.nn.modules.rnn.Foo  # noqa: B018


def test_multihead_attention_prints_its_out_proj_as_pytorch():
    # PyTorch 2.13: "(out_proj): NonDynamicallyQuantizableLinear(in_features=4, out_features=4,
    # bias=True)"
    attention = mt.nn.MultiheadAttention(4, 2)
    assert type(attention.out_proj) is mt.nn.NonDynamicallyQuantizableLinear
    assert (
        "(out_proj): NonDynamicallyQuantizableLinear(in_features=4, out_features=4, bias=True)"
        in repr(attention)
    )
    assert list(dict(attention.named_parameters())) == [
        "in_proj_weight",
        "in_proj_bias",
        "out_proj.weight",
        "out_proj.bias",
    ]
