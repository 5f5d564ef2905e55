"""Every library warning points at the user's line (``mt.errors.warn``), however deep in the
library it is raised: through a functional op, a layer, a plugin callback inside ``fit``."""

import warnings

import numpy as np
import pytest

import minitorch_es as mt


def caught_at(call):
    """Run ``call`` (a lambda written on the test's line) and return ``(the first warning, the
    line of the lambda)``: the line the warning must point at."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    assert len(caught) >= 1, "no warning"
    return caught[0], call.__code__.co_firstlineno


def test_softmax_without_dim_points_at_the_call():
    x = mt.randn(2, 3)
    w, line = caught_at(lambda: mt.nn.functional.softmax(x))
    assert "no dim given" in str(w.message)
    assert (w.filename, w.lineno) == (__file__, line)


def test_a_softmax_layer_without_dim_points_at_the_model_call():
    layer = mt.nn.Softmax()
    w, line = caught_at(lambda: layer(mt.randn(2, 3)))
    assert (w.filename, w.lineno) == (__file__, line)


def test_random_split_with_an_empty_part_points_at_the_call():
    data = mt.data.TensorDataset(mt.arange(3))
    w, line = caught_at(lambda: mt.data.random_split(data, [0.9, 0.1, 0.0]))
    assert "length of split at index" in str(w.message)
    assert (w.filename, w.lineno) == (__file__, line)


def test_a_plugin_callback_warning_inside_fit_points_at_the_fit_call():
    stopper = mt.registry.get("callback", "EarlyStopping")(monitor="val_nothing")
    trainer = mt.Trainer(mt.nn.Linear(2, 1), optimizer="sgd", loss="mse", callbacks=[stopper])
    x, y = mt.randn(8, 2), mt.randn(8, 1)
    w, line = caught_at(lambda: trainer.fit(x, y, epochs=1, verbose=0))
    assert "'val_nothing' is not in the logs" in str(w.message)
    assert (w.filename, w.lineno) == (__file__, line)


def test_warn_reports_the_first_frame_outside_the_library():
    def user_helper():
        mt.errors.warn("from the user's own function", RuntimeWarning)

    with pytest.warns(RuntimeWarning) as caught:
        user_helper()
    assert caught[0].filename == __file__
    assert caught[0].lineno == user_helper.__code__.co_firstlineno + 1


def test_an_empty_initialization_warns_at_the_call():
    empty = mt.zeros(0, 3)
    w, line = caught_at(lambda: mt.nn.init.xavier_uniform_(empty))
    assert "zero-element" in str(w.message)
    assert (w.filename, w.lineno) == (__file__, line)
    assert np.asarray(empty).shape == (0, 3)


@pytest.mark.parametrize(
    "op",
    [
        "log",
        "log2",
        "log10",
        "log1p",
        "sqrt",
        "rsqrt",
        "asin",
        "acos",
        "atanh",
        "exp",
        "reciprocal",
    ],
)
def test_ieee_special_values_come_back_silently_as_in_pytorch(op):
    x = mt.tensor([-2.0, -1.0, 0.0, 1000.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.filterwarnings("always", append=True)  # after the package's own filter
        y = getattr(mt, op)(x)
        y.backward(mt.ones_like(y))
        ratio = mt.tensor([1.0, 0.0, -1.0]) / mt.tensor(0.0)
        np.log(np.zeros(1))  # the user's own NumPy code still warns
    assert [str(w.message) for w in caught] == ["divide by zero encountered in log"]
    assert caught[0].filename == __file__
    expected = {"log": -np.inf, "sqrt": 0.0, "rsqrt": np.inf, "exp": 1.0}.get(op)
    if expected is not None:  # the value at 0 is IEEE's, as PyTorch's
        assert y[2].item() == expected
    assert np.isinf(ratio[0].item()) and np.isnan(ratio[1].item())
