"""Thesis 4.1, regression: temperature -> ice creams sold, one neuron trained by gradient descent.

The thesis's network (Fig. 66) is ``y_hat = [1, x] @ [w0, w1]``: a bias column of ones and one
weight. Here it is ``Linear(1, 1)``, whose ``bias`` is the thesis's ``w0``. Its update
``(output - y).T @ x`` (annex, "Regression code") is the gradient of ``1/2 * sum((y_hat - y)**2)``,
so that is the objective minimised with the thesis's lr 0.01 (on the full sum of squares the same
lr diverges: lr * largest Hessian eigenvalue = 3.65 > 2). The loss reported is the thesis's
``error = sum((output - y)**2)``.
"""

from __future__ import annotations

import time

import numpy as np

import minitorch_es as mt

from . import plotting
from .progress import epochs as progress_epochs
from .result import Result, Row

EPOCHS, LR = 1500, 0.01
THESIS_SEED = 714  # np.random.seed(714) in the annex
THESIS_MIN_LOSS = 1.5533527212309681  # the minimum marked with a green cross in the annex


def thesis_initial_weights() -> tuple[float, float]:
    """``(bias, weight)``: the annex's ``np.random.seed(714); np.random.random((2, 1)) * 3``,
    so our descent starts where the thesis's did."""
    w0, w1 = np.random.RandomState(THESIS_SEED).random_sample((2, 1)).ravel() * 3
    return float(w0), float(w1)


def scaled_data() -> tuple[np.ndarray, np.ndarray]:
    """Temperatures and ice creams, both divided by 10 as the thesis does, in float64 (the raw
    values are exact in float32; dividing after the cast keeps 2.95 the float64 2.95)."""
    x, y = mt.data.datasets.thesis_regression()
    return x.astype(np.float64) / 10, y.astype(np.float64) / 10


def sum_squared_errors(pred: mt.Tensor, target: mt.Tensor) -> mt.Tensor:
    """The thesis's ``error = sum((output - y)**2)``."""
    return mt.nn.MSELoss(reduction="sum")(pred, target)


def train(epochs: int = EPOCHS, lr: float = LR, progress: bool = False):
    """Full-batch gradient descent on the scaled data; returns ``(model, path)`` where ``path`` is
    an ``(epochs + 1, 3)`` array of ``(weight, bias, sse)`` before every update and at the end."""
    x, y = (mt.tensor(a) for a in scaled_data())
    model = mt.nn.Linear(1, 1, dtype=mt.float64)
    bias, weight = thesis_initial_weights()
    with mt.no_grad():
        model.weight.data[...] = weight
        model.bias.data[...] = bias
    optimizer = mt.optim.SGD(model.parameters(), lr=lr)
    path = []
    for _ in progress_epochs(epochs, "regression", progress):
        sse = sum_squared_errors(model(x), y)
        path.append((model.weight.item(), model.bias.item(), sse.item()))
        optimizer.zero_grad()
        (0.5 * sse).backward()  # the thesis's update is the gradient of sse / 2
        optimizer.step()
    with mt.no_grad():
        final = sum_squared_errors(model(x), y).item()
    path.append((model.weight.item(), model.bias.item(), final))
    return model, np.array(path)


def least_squares() -> tuple[float, float, float]:
    """``(weight, bias, sse)`` of the closed-form solution (``np.linalg.lstsq``)."""
    x, y = scaled_data()
    design = np.hstack([np.ones_like(x), x])
    (b, w), *_ = np.linalg.lstsq(design, y.ravel(), rcond=None)
    return float(w), float(b), float(np.sum((design @ [b, w] - y.ravel()) ** 2))


def run(config) -> Result:
    """Train, compare with least squares, draw Figs. 67-68."""
    epochs = 300 if config.quick else EPOCHS
    start = time.perf_counter()
    model, path = train(epochs, LR, config.progress)
    seconds = time.perf_counter() - start
    w, b, sse = path[-1]
    ls_w, ls_b, ls_sse = least_squares()
    title = "4.1 Regression"
    result = Result(
        "regression",
        title,
        data={"path": path, "weight": w, "bias": b, "sse": sse, "lstsq": (ls_w, ls_b, ls_sse)},
    )
    ep = str(epochs)
    result.rows += [
        Row(
            title,
            "slope w (scaled units)",
            "fit shown in Fig. 67",
            f"{w:.4f} (lstsq {ls_w:.4f})",
            ep,
            seconds,
        ),
        Row(
            title,
            "intercept b (scaled units)",
            "fit shown in Fig. 67",
            f"{b:.4f} (lstsq {ls_b:.4f})",
            ep,
        ),
        Row(
            title,
            "final loss sum((y_hat-y)^2)",
            f"{THESIS_MIN_LOSS:.4f} (annex: minimum)",
            f"{sse:.4f} (lstsq {ls_sse:.4f})",
            ep,
        ),
    ]
    result.notes.append(
        f"Inputs and targets divided by 10 as in the thesis; Linear(1, 1) in float64 started from "
        f"the annex's weights (seed 714: w={path[0][0]:.4f}, b={path[0][1]:.4f}); lr {LR} on "
        f"sum((y_hat-y)^2)/2, whose gradient is the annex's update. In degrees and ice creams: "
        f"ice creams = {w:.3f} * temperature {10 * b:+.2f}."
    )
    fig_line, fig_surface = figures(path, (ls_w, ls_b))
    plotting.add(
        result,
        fig_line,
        config.out_dir,
        "regression_fit.png",
        "Fig. 67: the fitted regression line (scaled data)",
    )
    plotting.add(
        result,
        fig_surface,
        config.out_dir,
        "regression_loss_surface.png",
        "Fig. 68: the loss surface and the gradient-descent path to the minimum (x)",
    )
    result.seconds = time.perf_counter() - start
    return result


def loss_grid(weights: np.ndarray, biases: np.ndarray) -> np.ndarray:
    """The thesis's loss surface: ``sse`` for every ``(bias, weight)`` pair of the grid."""
    x, y = (a.ravel() for a in scaled_data())
    W, B = np.meshgrid(weights, biases)
    pred = W[..., None] * x + B[..., None]
    return W, B, np.sum((pred - y) ** 2, axis=-1)


def figures(path: np.ndarray, minimum):
    """(fitted line, loss surface) figures, or (None, None) without matplotlib."""
    fig = plotting.new_figure(5.5, 5)
    if fig is None:
        return None, None
    x, y = scaled_data()
    w, b = path[-1][:2]
    ax = fig.subplots()
    ax.scatter(x, y, label="data")
    line = np.linspace(2.3, 4.3, 100)
    ax.plot(line, w * line + b, color="C1", label=f"y = {w:.2f} x {b:+.2f}")
    ax.set(
        xlabel="Temperature / 10",
        ylabel="Ice creams sold / 10",
        title="Regression",
        xlim=(2.0, 4.5),
    )
    ax.legend()

    surface = plotting.new_figure(12, 5)
    W, B, L = loss_grid(np.linspace(-1, 4, 200), np.linspace(-5, 3, 200))
    ax3 = surface.add_subplot(1, 2, 1, projection="3d")
    ax3.plot_surface(W, B, L, cmap="CMRmap", linewidth=0, antialiased=True, alpha=0.8)
    ax3.plot(path[:, 0], path[:, 1], path[:, 2], color="r", linestyle="--", zorder=10)
    ax3.plot([minimum[0]], [minimum[1]], [path[-1, 2]], "gX", markersize=12)
    ax3.set_title("loss sum((y_hat-y)^2)")
    for set_label, name in ((ax3.set_xlabel, "weight"), (ax3.set_ylabel, "bias")):
        set_label(name, labelpad=8)
    ax3.set_zlabel("loss", labelpad=10)  # clear of the tick labels
    ax2 = surface.add_subplot(1, 2, 2)
    levels = np.geomspace(max(L.min(), 1e-3), L.max(), 30)
    ax2.contour(W, B, L, levels=levels, cmap="viridis", linewidths=0.8)
    ax2.plot(path[:, 0], path[:, 1], "k.-", markersize=2, linewidth=0.8, label="gradient descent")
    ax2.plot(path[0, 0], path[0, 1], "ko", label="start")
    ax2.plot(*minimum, "gX", markersize=12, label="least squares")
    ax2.set(xlabel="weight", ylabel="bias", title="Loss contours and descent path")
    ax2.legend()
    return fig, surface
