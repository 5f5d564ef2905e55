"""Tiny datasets of the thesis: the XOR gate and the temperature / ice-cream regression."""

from __future__ import annotations

import numpy as np


def xor() -> tuple[np.ndarray, np.ndarray]:
    """The XOR truth table: ``X`` float32 ``(4, 2)`` and ``y`` float32 ``(4, 1)``.

    Rows in the order of the thesis (section 4.3, annex "XOR code"): 00, 01, 10, 11.

        >>> X, y = mt.data.datasets.xor()
        >>> X.shape, y.ravel()
        ((4, 2), array([0., 1., 1., 0.], dtype=float32))
    """
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array([[0], [1], [1], [0]], dtype=np.float32)
    return X, y


# Copied from the thesis, annex "Regression code" (section 4.1, figure 65).
_TEMPERATURE = [25, 26, 27, 28, 29, 29.5, 30.5, 31, 32, 33.5, 34, 36.5, 37, 37.5, 39, 40]
_ICE_CREAMS = [10, 18, 12, 20, 18, 20, 22, 30, 32, 30, 35, 36, 40, 38, 37, 41]


def thesis_regression(scaled: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The temperature / ice-creams-sold data of the thesis's regression experiment.

    Returns ``x`` (temperature, degrees) and ``y`` (ice creams sold), float32 ``(16, 1)``,
    exactly the values of *Neural Networks from Scratch*, section 4.1 "Regression" and the
    annex "Regression code". The thesis divides both by 10 before training; ``scaled=True``
    does that for you.

        >>> x, y = mt.data.datasets.thesis_regression()
        >>> x.shape, x[0], y[0]
        ((16, 1), array([25.], dtype=float32), array([10.], dtype=float32))
    """
    x = np.array(_TEMPERATURE, dtype=np.float64).reshape(-1, 1)
    y = np.array(_ICE_CREAMS, dtype=np.float64).reshape(-1, 1)
    if scaled:
        x, y = x / 10, y / 10
    return x.astype(np.float32), y.astype(np.float32)
