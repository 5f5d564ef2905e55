"""The batch-norm kernels as pure array functions: channel rows (a view of batch-last storage),
every input memory layout, training and running statistics, against PyTorch (recorded)."""

import numpy as np
import pytest
from test_conv_kernels import layouts
from test_layers_norm import bn_reference
from torch_parity import reference

from minitorch_es_plugins.layers.normalization_kernels import (
    batch_norm,
    batch_norm_backward,
    channel_rows,
)


def test_channel_rows_view_batch_last_storage_and_copy_the_rest(rng):
    x = rng.standard_normal((2, 3, 4, 5))
    for layout, xl in layouts(x).items():
        rows = channel_rows(xl)
        r = rows.of(np, xl)
        assert r.shape == (3, 40)
        np.testing.assert_array_equal(np.sort(r, axis=1), np.sort(x.swapaxes(0, 1).reshape(3, -1)))
        np.testing.assert_array_equal(rows.back(np, r), x)
        assert np.shares_memory(r, xl) == (layout in ("batch_last", "channel_major")), layout


def torch_batch_norm(torch, x, weight, bias, g, mean, var, training):
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, weight, bias))
    stats = (None, None) if training else (torch.tensor(mean), torch.tensor(var))
    out = torch.nn.functional.batch_norm(xt, *stats, wt, bt, bool(training), 0.1, 1e-5)
    out.backward(torch.tensor(g))
    return {"out": out, "gx": xt.grad, "gw": wt.grad, "gb": bt.grad}


@pytest.mark.parametrize("shape", [(6, 4), (3, 4, 5, 2)])
@pytest.mark.parametrize("training", [True, False])
def test_forward_and_gradients_match_pytorch_in_every_layout(rng, shape, training):
    x = rng.standard_normal(shape) * 2 + 1
    w, b = rng.standard_normal(4), rng.standard_normal(4)
    mean, var = rng.standard_normal(4), rng.uniform(0.5, 2, 4)
    g = rng.standard_normal(shape)
    name = f"batch_norm_kernels/{'train' if training else 'eval'}_{len(shape)}d"
    ref = reference(
        name, torch_batch_norm, x=x, weight=w, bias=b, g=g, mean=mean, var=var, training=training
    )
    stats = None if training else (mean, var)
    np.testing.assert_allclose(
        ref["out"], bn_reference(x, w, b, None if training else mean, var), rtol=1e-12
    )
    inputs = layouts(x) if len(shape) == 4 else {"nc": x, "transposed": x.T.copy().T}
    grads = layouts(g) if len(shape) == 4 else {"nc": g}
    for layout, xl in inputs.items():
        out, batch_mean, batch_var, invstd, rows = batch_norm(xl, w, b, 1e-5, stats)
        np.testing.assert_allclose(out, ref["out"], rtol=1e-12, atol=1e-12, err_msg=layout)
        if training:
            axes = (0, *range(2, len(shape)))
            np.testing.assert_allclose(batch_mean, x.mean(axis=axes), rtol=1e-12)
            np.testing.assert_allclose(batch_var, x.var(axis=axes), rtol=1e-12)
        for glayout, gl in grads.items():
            gx, gw, gb = batch_norm_backward(np, gl, xl, w, batch_mean, invstd, rows, training)
            for ours, key in ((gx, "gx"), (gw, "gw"), (gb, "gb")):
                np.testing.assert_allclose(
                    ours, ref[key], rtol=1e-10, atol=1e-12, err_msg=f"{key} {layout} {glayout}"
                )


def test_backward_computes_only_what_is_needed(rng):
    x = rng.standard_normal((3, 2, 4, 4))
    _, mean, _, invstd, rows = batch_norm(x, None, None, 1e-5)
    need = (True, False, False)
    gx, gw, gb = batch_norm_backward(np, np.ones_like(x), x, None, mean, invstd, rows, True, need)
    assert gw is None and gb is None
    np.testing.assert_allclose(gx, 0, atol=1e-12)  # a constant gradient is normalised away
