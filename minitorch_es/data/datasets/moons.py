"""``make_moons``: two interleaving half circles (scikit-learn's toy dataset)."""

from __future__ import annotations

import numpy as np

from ...validation import is_int, is_real
from ..split import _rng


def make_moons(
    n_samples: int | tuple[int, int] = 100,
    *,
    shuffle: bool = True,
    noise: float | None = None,
    random_state: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, ``X`` float64 ``(n, 2)`` and labels ``y`` int64 ``(n,)``.

    As in scikit-learn: ``n_samples // 2`` points (or ``n_samples[0]`` for a pair) lie on the
    outer moon ``(cos t, sin t)`` (label 0) and the rest on the inner moon
    ``(1 - cos t, 0.5 - sin t)`` (label 1), ``t`` evenly spaced on ``[0, pi]``; then the
    samples are shuffled and Gaussian noise of standard deviation ``noise`` is added.
    Randomness comes from the package generator unless ``random_state`` (an int seed or a
    numpy Generator) is given; results differ from scikit-learn's for the same seed.

        >>> X, y = mt.data.datasets.make_moons(200, noise=0.1, random_state=0)
        >>> X.shape, np.bincount(y).tolist()
        ((200, 2), [100, 100])
    """
    if is_int(n_samples):
        if n_samples < 0:
            raise ValueError(f"make_moons expected n_samples >= 0, got {n_samples}")
        n_out = int(n_samples) // 2
        n_in = int(n_samples) - n_out
    else:
        try:
            n_out, n_in = n_samples
            if not (is_int(n_out) and is_int(n_in)):
                raise TypeError  # 2.5 samples or True would be truncated silently
            n_out, n_in = int(n_out), int(n_in)
        except (TypeError, ValueError):
            raise ValueError(
                f"make_moons expected n_samples as an int or a pair (outer, inner), "
                f"got {n_samples!r}"
            ) from None
        if n_out < 0 or n_in < 0:
            raise ValueError(f"make_moons expected non-negative sample counts, got {n_samples!r}")
    if noise is not None and not (is_real(noise) and noise >= 0):  # a bool or NaN is refused
        raise ValueError(f"make_moons expected noise to be None or a number >= 0, got {noise!r}")
    if not isinstance(shuffle, (bool, np.bool_)):
        raise TypeError(f"make_moons expected shuffle to be a bool, got {shuffle!r}")
    t_out = np.linspace(0, np.pi, n_out)
    t_in = np.linspace(0, np.pi, n_in)
    X = np.concatenate(
        [
            np.stack([np.cos(t_out), np.sin(t_out)], axis=1),
            np.stack([1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5], axis=1),
        ]
    )
    y = np.concatenate([np.zeros(n_out, np.int64), np.ones(n_in, np.int64)])
    rng = _rng(random_state, "make_moons") if (shuffle or noise is not None) else None
    if shuffle:
        order = rng.permutation(len(y))
        X, y = X[order], y[order]
    if noise is not None:
        X = X + rng.normal(scale=noise, size=X.shape)
    return X, y
