"""Dataset, TensorDataset and Subset."""

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.data import Dataset, Subset, TensorDataset


def test_dataset_base_is_abstract():
    class Nothing(Dataset):
        pass

    with pytest.raises(NotImplementedError, match="Nothing must implement __getitem__"):
        Nothing()[0]
    with pytest.raises(NotImplementedError, match="__len__"):
        len(Nothing())


def test_tensor_dataset_accepts_tensors_and_arrays_and_keeps_dtypes():
    x = mt.randn(5, 3)
    y = np.arange(5)
    ds = TensorDataset(x, y)
    assert len(ds) == 5
    xi, yi = ds[2]
    assert isinstance(xi, mt.Tensor) and isinstance(yi, mt.Tensor)
    np.testing.assert_array_equal(xi._data, x._data[2])
    assert yi.shape == () and yi.item() == 2 and yi.dtype == np.int64
    assert ds.tensors[0] is x and isinstance(ds.tensors[1], mt.Tensor)
    assert ds[-1][1].item() == 4
    # A list goes through mt.tensor: Python floats become the default float32.
    assert TensorDataset([[1.0], [2.0]])[0][0].dtype == np.float32


def test_tensor_dataset_length_mismatch_names_every_length():
    with pytest.raises(ValueError, match=r"argument 0: 4, argument 1: 3, argument 2: 4"):
        TensorDataset(np.zeros((4, 2)), np.zeros(3), np.zeros(4))


@pytest.mark.parametrize(
    "args, error, match",
    [
        ((), ValueError, "at least one tensor"),
        ((np.zeros((0, 3)),), ValueError, "0 samples"),
        ((np.float64(3.0),), ValueError, "at least one dimension"),
        ((np.array(["a", "b"]),), TypeError, "numeric"),
    ],
)
def test_tensor_dataset_rejects_bad_inputs(args, error, match):
    with pytest.raises(error, match=match):
        TensorDataset(*args)


def test_tensor_dataset_index_out_of_range():
    with pytest.raises(IndexError, match="index 7 is out of range for a dataset of 3"):
        TensorDataset(np.zeros(3))[7]


def test_subset_maps_indices():
    ds = TensorDataset(np.arange(10) * 10)
    sub = Subset(ds, [3, 1, 8])
    assert len(sub) == 3
    assert [sub[i][0].item() for i in range(3)] == [30, 10, 80]
    np.testing.assert_array_equal(sub[[0, 2]][0]._data, [30, 80])
    nested = Subset(sub, [2, 0])
    assert [nested[i][0].item() for i in range(2)] == [80, 30]


def test_subset_rejects_bad_indices():
    ds = TensorDataset(np.arange(4))
    with pytest.raises(IndexError, match="index 4 is out of range for a dataset of 4"):
        Subset(ds, [0, 4])
    with pytest.raises(TypeError, match="integer indices"):
        Subset(ds, [0.5, 1.0])
    assert len(Subset(ds, [])) == 0
