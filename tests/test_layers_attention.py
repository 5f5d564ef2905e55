"""scaled_dot_product_attention and MultiheadAttention: PyTorch parity (outputs and gradients,
float64, through fixtures), gradcheck of the fused kernel, dropout, options and errors."""

import numpy as np
import pytest
from module_parity import check_module
from torch_parity import reference

import minitorch_es as mt
from minitorch_es.autograd import gradcheck, gradgradcheck
from minitorch_es.errors import ShapeError
from minitorch_es_plugins.layers.attention_kernels import Attention, Split

F = mt.nn.functional
RNG = np.random.default_rng(11)


def data(*shape):
    return RNG.standard_normal(shape)


# ---------------------------------------------------------------- scaled_dot_product_attention
SDPA_CASES = {
    # name: (q, k, v shapes, mask (None / "bool" / "float" / shape-specific), options)
    "plain": ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 2), None, {}),
    "causal": ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 2), None, {"is_causal": True}),
    "bool_mask_with_a_fully_masked_row": ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 2), "bool", {}),
    "float_mask_broadcast": ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 2), "float", {}),
    "gqa_and_scale": (
        (2, 4, 4, 5),
        (2, 2, 6, 5),
        (2, 2, 6, 3),
        None,
        {"enable_gqa": True, "scale": 0.3},
    ),
    "unbatched_2d": ((4, 5), (6, 5), (6, 3), None, {}),
    "broadcast_batch": ((1, 3, 4, 5), (2, 1, 6, 5), (2, 1, 6, 2), None, {}),
}


def _sdpa_inputs(case):
    qs, ks, vs, mask, options = SDPA_CASES[case]
    inputs = {"q": data(*qs), "k": data(*ks), "v": data(*vs)}
    if mask == "bool":
        m = RNG.random((qs[-2], ks[-2])) > 0.4
        m[1] = False
        inputs["mask"] = m
    elif mask == "float":
        inputs["mask"] = data(3, 1, ks[-2])
    return inputs, options


@pytest.mark.parametrize("case", sorted(SDPA_CASES))
def test_sdpa_matches_pytorch(case):
    inputs, options = _sdpa_inputs(case)
    cot = data(*_sdpa_out_shape(inputs))

    def compute(torch, **a):
        ts = {k: torch.tensor(v, requires_grad=v.dtype != bool) for k, v in a.items() if k != "g"}
        out = torch.nn.functional.scaled_dot_product_attention(
            ts["q"], ts["k"], ts["v"], attn_mask=ts.get("mask"), **options
        )
        (out * torch.tensor(a["g"])).sum().backward()
        grads = {k: t.grad.numpy() for k, t in ts.items() if t.requires_grad}
        return {"out": out.detach().numpy(), "grads": grads}

    ref = reference(f"attention/sdpa_{case}", compute, **inputs, g=cot)
    ts = {k: mt.tensor(v, requires_grad=v.dtype != bool) for k, v in inputs.items()}
    out = F.scaled_dot_product_attention(
        ts["q"], ts["k"], ts["v"], attn_mask=ts.get("mask"), **options
    )
    (out * mt.tensor(cot)).sum().backward()
    np.testing.assert_allclose(out.numpy(force=True), ref["out"], rtol=1e-9, atol=1e-12)
    for k, g in ref["grads"].items():
        np.testing.assert_allclose(np.asarray(ts[k].grad), g, rtol=1e-9, atol=1e-12, err_msg=k)


def _sdpa_out_shape(inputs):
    q, v = inputs["q"].shape, inputs["v"].shape
    if len(q) > 2 and len(v) > 2 and q[-3] % v[-3] == 0 and v[-3] > 1:  # grouped-query
        return (*q[:-1], v[-1])
    return (*np.broadcast_shapes(q[:-2], v[:-2]), q[-2], v[-1])


@pytest.mark.parametrize("case", sorted(SDPA_CASES))
def test_sdpa_first_and_second_derivatives(case):
    inputs, options = _sdpa_inputs(case)
    ts = [mt.tensor(inputs[k], requires_grad=True) for k in ("q", "k", "v")]
    mask = inputs.get("mask")
    if mask is not None and mask.dtype != bool:
        ts.append(mt.tensor(mask, requires_grad=True))
        mask = None

    def fn(q, k, v, m=None):
        return F.scaled_dot_product_attention(
            q, k, v, attn_mask=m if m is not None else mask, **options
        )

    assert gradcheck(fn, ts)
    assert gradgradcheck(fn, ts)


def test_attention_kernel_probabilities_output_is_differentiable():
    q, k, v = (mt.tensor(data(2, 3, 4), requires_grad=True) for _ in range(3))
    assert gradgradcheck(lambda *a: Attention.apply(*a, scale=0.5), (q, k, v))


def test_split_kernel():
    x = mt.tensor(data(2, 6), requires_grad=True)
    assert gradcheck(lambda t: Split.apply(t, parts=3, axis=1)[1], (x,))
    assert gradgradcheck(lambda t: Split.apply(t, parts=2, axis=1), (x,))


def test_sdpa_dropout_keeps_the_expected_fraction_and_is_seeded():
    q = mt.randn(2, 2, 64, 8)
    mt.manual_seed(3)
    a = F.scaled_dot_product_attention(q, q, q, dropout_p=0.5)
    mt.manual_seed(3)
    b = F.scaled_dot_product_attention(q, q, q, dropout_p=0.5)
    np.testing.assert_array_equal(a.numpy(force=True), b.numpy(force=True))
    ones = mt.ones(1, 1, 200, 1)
    out = F.scaled_dot_product_attention(ones, ones, mt.ones(1, 1, 200, 1), dropout_p=0.25)
    assert abs(out.numpy(force=True).mean() - 1.0) < 0.05  # inverted dropout keeps the mean
    zero = F.scaled_dot_product_attention(q, q, q, dropout_p=1.0)
    assert not zero.numpy(force=True).any()


def test_sdpa_errors_name_expected_and_received():
    q, k, v = mt.randn(2, 4, 5), mt.randn(2, 6, 5), mt.randn(2, 6, 3)
    with pytest.raises(ShapeError, match=r"key with last dimension 5.*got key shape \(2, 6, 4\)"):
        F.scaled_dot_product_attention(q, mt.randn(2, 6, 4), v)
    with pytest.raises(ShapeError, match=r"value with 6 positions.*got value shape \(2, 7, 3\)"):
        F.scaled_dot_product_attention(q, k, mt.randn(2, 7, 3))
    with pytest.raises(ShapeError, match=r"attn_mask broadcastable to .*\(2, 4, 6\).*got \(4, 5\)"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=mt.ones(4, 5).bool())
    with pytest.raises(ValueError, match="should not be set when is_causal=True"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=mt.ones(4, 6).bool(), is_causal=True)
    with pytest.raises(TypeError, match="attn_mask of dtype bool or float32"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=mt.zeros(4, 6, dtype=mt.int64))
    with pytest.raises(TypeError, match="one dtype"):
        F.scaled_dot_product_attention(q, k.double(), v)
    with pytest.raises(ShapeError, match=r"query heads \(dimension -3, 3\) must be divisible"):
        F.scaled_dot_product_attention(
            mt.randn(1, 3, 4, 5), mt.randn(1, 2, 6, 5), mt.randn(1, 2, 6, 5), enable_gqa=True
        )
    with pytest.raises(ShapeError, match="batch dimensions"):
        F.scaled_dot_product_attention(mt.randn(3, 4, 5), k, v)
    with pytest.raises(ShapeError, match="at least 2 dimensions"):
        F.scaled_dot_product_attention(mt.randn(5), k, v)
    with pytest.raises(ValueError, match="dropout probability"):
        F.scaled_dot_product_attention(q, k, v, dropout_p=2.0)


# ---------------------------------------------------------------- MultiheadAttention
KPM = np.zeros((2, 6), dtype=bool)
KPM[0, 4:] = True
MHA_CASES = {
    "self_attention": ({"embed_dim": 8, "num_heads": 2}, {"x": (5, 2, 8)}, "self", {}),
    "cross_batch_first_bias_kv_zero_attn_per_head": (
        {
            "embed_dim": 8,
            "num_heads": 2,
            "batch_first": True,
            "add_bias_kv": True,
            "add_zero_attn": True,
        },
        {"x": (2, 5, 8), "y": (2, 6, 8)},
        "cross",
        {"average_attn_weights": False},
    ),
    "kdim_vdim_padding_and_float_mask": (
        {"embed_dim": 8, "num_heads": 4, "kdim": 3, "vdim": 5},
        {"x": (5, 2, 8), "k": (6, 2, 3), "v": (6, 2, 5), "am": (5, 6)},
        "kv",
        {"key_padding_mask": KPM},
    ),
    "no_bias_causal_hint_no_weights": (
        {"embed_dim": 8, "num_heads": 2, "bias": False},
        {"x": (5, 2, 8)},
        "self",
        {
            "attn_mask": np.triu(np.ones((5, 5), dtype=bool), 1),
            "is_causal": True,
            "need_weights": False,
        },
    ),
    "unbatched_with_padding": (
        {"embed_dim": 8, "num_heads": 2},
        {"x": (5, 8)},
        "self",
        {"key_padding_mask": KPM[0, 1:]},
    ),
    "per_head_3d_mask_and_float_padding": (
        {"embed_dim": 8, "num_heads": 2},
        {"x": (5, 2, 8), "am": (4, 5, 5)},
        "self",
        {"key_padding_mask": np.where(KPM[:, 1:], -1e9, 0.0)},
    ),
}


@pytest.mark.parametrize("case", sorted(MHA_CASES))
def test_multihead_attention_matches_pytorch(case):
    config, shapes, kind, options = MHA_CASES[case]
    inputs = {k: data(*s) for k, s in shapes.items()}
    constants = {k: v for k, v in options.items() if isinstance(v, np.ndarray)}
    inputs.update(constants)

    def call(m, t):
        kw = {k: (t[k] if k in constants else v) for k, v in options.items()}
        if "am" in t:
            kw["attn_mask"] = t["am"]
        if kind == "self":
            return m(t["x"], t["x"], t["x"], **kw)
        if kind == "cross":
            return m(t["x"], t["y"], t["y"], **kw)
        return m(t["x"], t["k"], t["v"], **kw)

    check_module(f"attention/mha_{case}", "MultiheadAttention", config, inputs, call)


def test_multihead_attention_parameters_and_initialisation():
    mha = mt.nn.MultiheadAttention(8, 2, kdim=3, add_bias_kv=True)
    names = [(n, p.shape) for n, p in mha.named_parameters()]
    assert names == [
        ("q_proj_weight", (8, 8)), ("k_proj_weight", (8, 3)), ("v_proj_weight", (8, 8)),
        ("in_proj_bias", (24,)), ("bias_k", (1, 1, 8)), ("bias_v", (1, 1, 8)),
        ("out_proj.weight", (8, 8)), ("out_proj.bias", (8,)),
    ]  # fmt: skip
    assert not mha.in_proj_bias.numpy(force=True).any()
    assert not mha.out_proj.bias.numpy(force=True).any()
    big = mt.nn.MultiheadAttention(64, 4)
    bound = np.sqrt(6 / (64 + 192))  # Xavier-uniform of the (3E, E) packed weight
    w = big.in_proj_weight.numpy(force=True)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.98 * bound


def test_multihead_attention_config_round_trip_and_dropout():
    mha = mt.nn.MultiheadAttention(8, 2, dropout=0.5, batch_first=True, vdim=4)
    again = mt.registry.create("layer", {"name": "MultiheadAttention", "config": mha.get_config()})
    assert again.get_config() == mha.get_config()
    x = mt.randn(2, 5, 8)
    mha.eval()
    a, w = mha(x, x, mt.randn(2, 5, 4))
    assert w.shape == (2, 5, 5) and np.allclose(w.numpy(force=True).sum(-1), 1)
    mha.train()
    _, w = mha(x, x, mt.randn(2, 5, 4))
    assert (w.numpy(force=True) == 0).any()  # weights are returned after dropout, as PyTorch


def test_multihead_attention_errors_name_expected_and_received():
    with pytest.raises(
        ValueError,
        match="embed_dim must be divisible by num_heads, got embed_dim=10 and num_heads=3",
    ):
        mt.nn.MultiheadAttention(10, 3)
    mha = mt.nn.MultiheadAttention(8, 2)
    x = mt.randn(5, 2, 8)
    with pytest.raises(ShapeError, match=r"query should be unbatched 2D or batched 3D, got shape"):
        mha(mt.randn(1, 5, 2, 8), x, x)
    with pytest.raises(ShapeError, match=r"expected 3-D key and value, got key \(5, 8\)"):
        mha(x, mt.randn(5, 8), x)
    with pytest.raises(ShapeError, match=r"embedding dimension 8 \(embed_dim\), got query shape"):
        mha(mt.randn(5, 2, 6), x, x)
    with pytest.raises(
        ShapeError, match=r"key with last dimension 8 \(kdim\), got shape \(5, 2, 4\)"
    ):
        mha(x, mt.randn(5, 2, 4), x)
    with pytest.raises(ShapeError, match=r"key_padding_mask of shape \(2, 5\).*got \(2, 4\)"):
        mha(x, x, x, key_padding_mask=mt.zeros(2, 4).bool())
    with pytest.raises(ShapeError, match=r"2-D attn_mask of shape \(5, 5\), got \(5, 4\)"):
        mha(x, x, x, attn_mask=mt.zeros(5, 4))
    with pytest.raises(ShapeError, match=r"3-D attn_mask of shape \(4, 5, 5\), got \(2, 5, 5\)"):
        mha(x, x, x, attn_mask=mt.zeros(2, 5, 5))
    with pytest.raises(RuntimeError, match="need attn_mask if specifying the is_causal hint"):
        mha(x, x, x, is_causal=True)
    with pytest.raises(TypeError, match="only bool and floating types of attn_mask"):
        mha(x, x, x, attn_mask=mt.zeros(5, 5, dtype=mt.int64))
    with pytest.raises(TypeError, match="key_padding_mask of dtype float32 .*got float64"):
        mha(x, x, x, key_padding_mask=mt.zeros(2, 5, dtype=mt.float64))
    with pytest.raises(ShapeError, match=r"batch size 2 .*got key \(5, 3, 8\)"):
        mha(x, mt.randn(5, 3, 8), mt.randn(5, 3, 8))
