"""Plotting without global state: matplotlib is imported lazily and figures are drawn with its
object-oriented API (``matplotlib.figure.Figure`` rendered by Agg), so nothing opens a window,
nothing calls ``plt.show()`` and the experiments run unchanged when matplotlib is missing."""

from __future__ import annotations

from pathlib import Path

from .result import FigureFile

PLOT_HINT = "plots need the `plot` extra: pip install minitorch-es[plot]"


def _figure_class():
    """``matplotlib.figure.Figure``, or None when matplotlib cannot be imported."""
    try:
        import matplotlib  # noqa: F401  (first: a cached submodule must not hide its absence)
        from matplotlib.figure import Figure
    except ImportError:
        return None
    return Figure


def available() -> bool:
    """Whether matplotlib can be imported."""
    return _figure_class() is not None


def new_figure(width: float = 6.0, height: float = 4.5):
    """A fresh ``matplotlib.figure.Figure`` (not attached to pyplot), or None without matplotlib."""
    figure_class = _figure_class()
    if figure_class is None:
        return None
    return figure_class(figsize=(width, height), layout="constrained")


def save(fig, out_dir: Path, filename: str, caption: str) -> FigureFile | None:
    """Write ``fig`` as ``out_dir/filename`` (PNG, 110 dpi); None when ``fig`` is None."""
    if fig is None:
        return None
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_dir / filename, dpi=110)
    return FigureFile(caption, filename)


def add(result, fig, out_dir: Path, filename: str, caption: str) -> None:
    """Save ``fig`` and list it in ``result.figures`` (nothing happens without matplotlib)."""
    saved = save(fig, out_dir, filename, caption)
    if saved is not None:
        result.figures.append(saved)


def grid_predictions(predict, X, step: float = 0.02, margin: float = 1.0):
    """``(xx, yy, zz)``: ``predict`` evaluated on a grid covering ``X`` (2 features) plus
    ``margin``, for decision-boundary plots (as the thesis's annex does with ``np.meshgrid``)."""
    import numpy as np

    xs = np.arange(X[:, 0].min() - margin, X[:, 0].max() + margin, step)
    ys = np.arange(X[:, 1].min() - margin, X[:, 1].max() + margin, step)
    xx, yy = np.meshgrid(xs, ys)
    points = np.stack([xx.ravel(), yy.ravel()], axis=1)
    return xx, yy, np.asarray(predict(points)).reshape(xx.shape)
