"""The corpus's small image data: synthetic MNIST-like digits, the same on every machine.

Ten classes, each a blurred random stroke pattern; a sample is its class pattern shifted by up to
two pixels, scaled in brightness and noised, as 28x28 uint8 images (MNIST's layout). Programs
that download MNIST or FashionMNIST get these instead (learnable, so accuracies mean something).
With ``CORPUS_MNIST_DIR`` naming a folder of MNIST's IDX files, the real images are read instead,
the first ``CORPUS_TRAIN_SAMPLES`` / ``CORPUS_TEST_SAMPLES`` of each split (outputs then differ
from the recorded ones, which use the synthetic digits).
"""

import gzip
import os

import numpy as np

TRAIN = int(os.environ.get("CORPUS_TRAIN_SAMPLES", "1200"))
TEST = int(os.environ.get("CORPUS_TEST_SAMPLES", "300"))


def _prototypes():
    rng = np.random.default_rng(2024)
    coarse = rng.random((10, 7, 7)) < 0.35
    big = np.kron(coarse, np.ones((4, 4))).astype(np.float32)
    blurred = big.copy()
    for axis in (1, 2):  # a 3-pixel box blur along each axis
        blurred = (np.roll(blurred, 1, axis) + blurred + np.roll(blurred, -1, axis)) / 3
    return blurred / blurred.max(axis=(1, 2), keepdims=True)


def synthetic(train, size=None):
    """``(images uint8 (n, 28, 28), labels int64 (n,))`` of one split (``size`` samples, or
    the split's default number)."""
    n = size or (TRAIN if train else TEST)
    rng = np.random.default_rng(1 if train else 2)
    labels = rng.integers(0, 10, n)
    shifts = rng.integers(-2, 3, (n, 2))
    protos = _prototypes()
    images = np.empty((n, 28, 28), np.float32)
    for i, (label, (dy, dx)) in enumerate(zip(labels, shifts)):
        images[i] = np.roll(protos[label], (dy, dx), axis=(0, 1))
    images *= rng.uniform(0.6, 1.0, (n, 1, 1))
    images += rng.normal(0, 0.15, images.shape)
    return (np.clip(images, 0, 1) * 255).astype(np.uint8), labels.astype(np.int64)


def _idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = np.frombuffer(data, ">u4", ndim, 4)
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def mnist(train, size=None):
    """The split as ``(images, labels)``: synthetic, or MNIST's from ``CORPUS_MNIST_DIR``."""
    folder = os.environ.get("CORPUS_MNIST_DIR")
    if not folder:
        return synthetic(train, size)
    prefix = "train" if train else "t10k"
    n = size or (TRAIN if train else TEST)
    images = _idx(os.path.join(folder, f"{prefix}-images-idx3-ubyte.gz"))[:n]
    labels = _idx(os.path.join(folder, f"{prefix}-labels-idx1-ubyte.gz"))[:n]
    return np.array(images), labels.astype(np.int64)
