"""The vocabulary exists where PyTorch has it (top-level function and Tensor method), and
``out=`` writes results as PyTorch does."""

import numpy as np
import pytest

import minitorch_es as mt

BOTH = """
abs absolute acos acosh add addbmm addcdiv addcmul addmm addmv addr all allclose amax amin
aminmax any argmax argmin argsort argwhere asin asinh atan atan2 atanh arccos arcsin arctan
baddbmm bincount bitwise_and bitwise_not bitwise_or bitwise_xor bmm ceil chunk clamp clamp_max
clamp_min clip clone cos cosh count_nonzero cross cummax cummin cumprod cumsum diag diagonal
diff dist div divide dot eq equal erf erfc erfinv exp exp2 expm1 fix flatten flip fliplr flipud
float_power floor floor_divide fmax fmin fmod frac gather ge ger greater gt histc index_add
index_copy index_fill index_select isclose isfinite isinf isnan isneginf isposinf kthvalue le
lerp less log log10 log1p log2 log_softmax logcumsumexp logical_and logical_not logical_or
logical_xor logsumexp lt masked_fill masked_scatter masked_select matmul max maximum mean median
min minimum mm mode moveaxis movedim msort mul multiply mv nan_to_num narrow ne neg negative
nonzero norm not_equal outer permute pow prod reciprocal relu remainder repeat_interleave
reshape roll rot90 round rsqrt scatter scatter_add select sgn sigmoid sign sin sinh softmax
sort split sqrt square squeeze std sub subtract sum swapaxes swapdims t take take_along_dim
tan tanh tensor_split tile topk trace transpose tril triu true_divide trunc unbind unflatten
unique unsqueeze var where
""".split()
ONLY_FUNCTIONS = """
arange as_tensor atleast_1d atleast_2d atleast_3d bernoulli broadcast_shapes
broadcast_tensors broadcast_to bucketize can_cast cat cdist column_stack concat concatenate
dstack einsum empty empty_like eye finfo from_numpy full full_like get_default_dtype
get_rng_state hstack iinfo is_floating_point is_tensor linspace logspace manual_seed meshgrid
multinomial normal numel ones ones_like poisson promote_types rand rand_like randint
randint_like randn randn_like randperm result_type row_stack searchsorted seed
set_default_dtype set_printoptions set_rng_state stack tensor vstack zeros zeros_like
""".split()
ONLY_METHODS = """
abs_ addcdiv_ addcmul_ addmm_ bernoulli_ byte ceil_ char clamp_max_ clamp_min_ contiguous
cos_ data_ptr double element_size exp_ expand_as exponential_ fill_diagonal_ float floor_
fmod_ frac_ half index_add_ index_copy_ index_fill_ int is_contiguous is_floating_point
lerp_ log_ long masked_fill_ masked_scatter_ nelement new_empty new_full new_ones new_tensor
new_zeros ndimension normal_ random_ reciprocal_ relu_ remainder_ repeat round_ rsqrt_
scatter_ scatter_add_ short sigmoid_ sign_ sin_ sqrt_ square_ squeeze_ storage_offset stride
t_ tanh_ transpose_ trunc_ type_as uniform_ unsqueeze_ view_as
""".split()


@pytest.mark.parametrize("name", BOTH)
def test_function_and_method(name):
    assert callable(getattr(mt, name)) and callable(getattr(mt.Tensor, name))


@pytest.mark.parametrize("name", ONLY_FUNCTIONS)
def test_function(name):
    assert callable(getattr(mt, name))


@pytest.mark.parametrize("name", ONLY_METHODS)
def test_method(name):
    assert callable(getattr(mt.Tensor, name))


def test_functions_refuse_a_non_tensor_input_as_pytorch():
    with pytest.raises(TypeError, match=r"'input' \(position 1\) must be Tensor, not list"):
        mt.sin([1.0])


def test_out_receives_the_result():
    a, b = mt.tensor([1.0, 2.0]), mt.tensor([3.0, 4.0])
    out = mt.empty(2)
    assert mt.add(a, b, out=out) is out and out.tolist() == [4.0, 6.0]
    mt.mul(a, b, out=out)
    assert out.tolist() == [3.0, 8.0]
    m = mt.empty(0)
    assert mt.matmul(a.reshape(1, 2), b.reshape(2, 1), out=m).tolist() == [[11.0]]
    c = mt.empty(4)
    assert mt.cat([a, b], out=c).tolist() == [1.0, 2.0, 3.0, 4.0]
    s = mt.empty(2, 2)
    mt.stack([a, b], out=s)
    assert s.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    values, indices = mt.empty(2), mt.zeros(2, dtype=mt.int64)
    result = mt.sort(mt.tensor([2.0, 1.0]), out=(values, indices))
    assert result.values is values and indices.tolist() == [1, 0]
    ints = mt.zeros(2, dtype=mt.int64)
    assert mt.where(mt.tensor([True, False]), mt.tensor([1, 2]), 0, out=ints).tolist() == [1, 0]


def test_out_errors_and_resize_as_pytorch():
    a = mt.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        mt.exp(a, out=mt.empty(2))
    with mt.no_grad():
        assert mt.exp(a, out=mt.empty(2)).tolist() == pytest.approx([np.e, np.e])
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type torch.int64"):
        mt.sin(mt.ones(2), out=mt.zeros(2, dtype=mt.int64))
    with pytest.warns(UserWarning, match="was resized"):
        out = mt.sin(mt.ones(3), out=mt.zeros(2))
    assert out.shape == (3,)
    with pytest.raises(TypeError, match="must be Tensor"):
        mt.sin(mt.ones(2), out=np.zeros(2))
    with pytest.raises(TypeError, match="tuple of 2 tensors"):
        mt.sort(mt.ones(2), out=mt.zeros(2))


def test_shape_changing_in_place_ops():
    z = mt.ones(2, 3)
    assert z.t_() is z and z.shape == (3, 2)
    z.unsqueeze_(0)
    assert z.shape == (1, 3, 2)
    z.squeeze_()
    z.transpose_(0, 1)
    assert z.shape == (2, 3)
    x = mt.randn(2, 3, requires_grad=True)
    y = x * 2
    y.t_()
    y.unsqueeze_(0)
    (y * mt.arange(2.0)).sum().backward()
    np.testing.assert_array_equal(x.grad._data, [[0, 0, 0], [2, 2, 2]])
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x.t_()
