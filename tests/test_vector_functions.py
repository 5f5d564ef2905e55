"""F.one_hot (and, with the vector norms, F.normalize, cosine_similarity, pairwise_distance):
against PyTorch and NumPy, dtypes, every error."""

import numpy as np
import pytest
from torch_parity import reference

import minitorch_es as mt

F = mt.nn.functional


@pytest.mark.parametrize("num_classes", [-1, 5])
def test_one_hot_matches_pytorch(num_classes):
    index = np.array([[0, 3], [2, 2], [1, 0]], dtype=np.int64)
    ref = reference(
        f"functional/one_hot_{'inferred' if num_classes < 0 else num_classes}",
        lambda torch, index: torch.nn.functional.one_hot(torch.tensor(index), num_classes),
        index=index,
    )
    out = F.one_hot(mt.tensor(index), num_classes)
    assert out.dtype == mt.int64 and not out.requires_grad
    np.testing.assert_array_equal(out.numpy(), ref)
    np.testing.assert_array_equal(out.numpy(), np.eye(ref.shape[-1], dtype=np.int64)[index])


def test_one_hot_of_a_scalar_and_of_nothing():
    assert F.one_hot(mt.tensor(2)).tolist() == [0, 0, 1]
    assert F.one_hot(mt.tensor([], dtype=mt.int64), 3).shape == (0, 3)


ERRORS = [
    (lambda: F.one_hot(mt.tensor([1, 2], dtype=mt.int32)), RuntimeError, "LongTensor (int64)"),
    (lambda: F.one_hot(mt.tensor([1.0])), RuntimeError, "got dtype float32"),
    (lambda: F.one_hot([1, 2]), TypeError, "expected a Tensor of int64 indices, got list"),
    (lambda: F.one_hot(mt.tensor([1, -2])), RuntimeError, "non-negative, got -2"),
    (lambda: F.one_hot(mt.tensor([1, 5]), 3), RuntimeError, "smaller than num_classes (3), got 5"),
    (lambda: F.one_hot(mt.tensor([1, 2]), -2), RuntimeError, "num_classes (-2)"),
    (lambda: F.one_hot(mt.tensor([], dtype=mt.int64)), RuntimeError, "Can not infer"),
    (lambda: F.one_hot(mt.tensor([1]), 2.0), TypeError, "num_classes must be an int"),
]


@pytest.mark.parametrize("call,error,message", ERRORS)
def test_one_hot_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
