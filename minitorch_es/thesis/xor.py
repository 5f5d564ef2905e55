"""Thesis 4.3, the XOR gate: full-batch gradient descent vs stochastic gradient descent.

The annex's network: 2 inputs, a hidden layer of 5 sigmoid units, one sigmoid output, no
biases, weights drawn uniformly from [0, 1), lr 1. It is written twice:

* with layers: ``Linear(2, 5, bias=False, activation="sigmoid")`` and
  ``Linear(5, 1, bias=False, activation="sigmoid")``, trained by ``mt.optim.SGD``;
* with `ThesisXORFunction`, a hand-written ``Function`` whose backward is the annex's
  ``updatewho`` / ``updatewih`` delta formulas, trained by the same optimizer.

Both start from the same weights (and SGD visits the examples in the same order), so they must
give the same curves up to float rounding. The annex's ``da2 = a2 - y`` is the derivative of
``(a2 - y)**2 / 2``, so that is the training objective; the curves show the thesis's error
``sum((a2 - y)**2)``.
"""

from __future__ import annotations

import time

import numpy as np

import minitorch_es as mt
from minitorch_es.autograd import Primitive
from minitorch_es.nn import Module, Parameter
from minitorch_es.registry import Provider

from . import plotting
from .progress import epochs as epoch_range
from .result import Result, Row

TITLE = "4.3 XOR"
HIDDEN, LR = 5, 1.0
EPOCHS = {"gd": 4000, "sgd": 2000}  # the annex's epoch counts
QUICK_EPOCHS = {"gd": 1000, "sgd": 500}
SOLVED = 0.05  # "the error reaches 0": sum of squares below this


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class ThesisXORFunction(Primitive):
    """``a2 = sigmoid(sigmoid(x @ wih) @ who)`` with the thesis's backpropagation (Figs. 39-41).

    ``backward`` receives ``dL/da2`` (the annex's ``da2``) and applies the delta rule:
    ``delta_out = da2 * a2 (1 - a2)``, ``updatewho = delta_out.T @ a1``,
    ``delta_hidden = (delta_out @ who.T) * a1 (1 - a1)``, ``updatewih = delta_hidden.T @ x``;
    the gradients of ``who`` and ``wih`` are their transposes.
    """

    @staticmethod
    def forward(ctx, x, wih, who):
        a1 = _sigmoid(x @ wih)
        a2 = _sigmoid(a1 @ who)
        ctx.save_for_backward(x, who, a1, a2)
        return a2

    @staticmethod
    def backward(ctx, da2):
        x, who, a1, a2 = ctx.saved_tensors
        delta_out = da2 * (a2 * (1 - a2))  # da2 * dz2 (sigmoid'(z2) = a2 (1-a2))
        updatewho = delta_out.T @ a1  # (1, hidden)
        delta_hidden = (delta_out @ who.T) * (a1 * (1 - a1))
        updatewih = delta_hidden.T @ x  # (hidden, 2)
        return None, updatewih.T, updatewho.T


def _onnx_translation(g: mt.onnx.GraphBuilder, call: mt.onnx.Call) -> str:
    """`ThesisXORFunction`'s forward as ONNX nodes, so that `FunctionXOR` exports."""
    x, wih, who = (call.input(i, call.out_dtype) for i in range(3))
    a1 = g.op("Sigmoid", g.op("MatMul", x, wih))
    return g.op("Sigmoid", g.op("MatMul", a1, who))


mt.registry.add(
    "onnx",
    f"{__name__}.ThesisXORFunction",
    mt.onnx.Translation(ThesisXORFunction, _onnx_translation),
    provider=Provider("builtin", __name__),
)


class FunctionXOR(Module):
    """The network as two weight matrices in the thesis's layout (``x @ wih``, ``a1 @ who``)."""

    def __init__(self, wih: np.ndarray, who: np.ndarray) -> None:
        super().__init__()
        self.wih = Parameter(np.array(wih))
        self.who = Parameter(np.array(who))

    def forward(self, x):
        return ThesisXORFunction.apply(x, self.wih, self.who)


def layer_xor(wih: np.ndarray, who: np.ndarray) -> Module:
    """The network with layers; PyTorch's weight layout is the transpose of the thesis's."""
    model = mt.nn.Sequential(
        mt.nn.Linear(2, wih.shape[1], bias=False, activation="sigmoid", dtype=wih.dtype),
        mt.nn.Linear(wih.shape[1], 1, bias=False, activation="sigmoid", dtype=wih.dtype),
    )
    with mt.no_grad():
        model[0].weight.data[...] = wih.T
        model[1].weight.data[...] = who.T
    return model


def half_sse(pred, target):
    """``sum((pred - target)**2) / 2``: its gradient is the annex's ``da2 = a2 - y``."""
    return 0.5 * mt.nn.MSELoss(reduction="sum")(pred, target)


def train(model: Module, X, y, epochs: int, orders=None, desc: str = "", progress=False) -> dict:
    """Gradient descent (``orders=None``: one update per epoch on all four examples) or SGD (one
    update per example, in ``orders[epoch]``). Returns the error ``sum((a2-y)**2)`` per epoch
    (``epoch``: for SGD the sum over the epoch's examples, as the annex's ``zrror``) and per
    update (``update``)."""
    X, y = mt.tensor(X, dtype=X.dtype), mt.tensor(y, dtype=y.dtype)
    optimizer = mt.optim.SGD(model.parameters(), lr=LR)
    per_epoch, per_update = [], []
    for e in epoch_range(epochs, desc, progress):
        batches = [slice(None)] if orders is None else [[i] for i in orders[e]]
        total = 0.0
        for rows in batches:
            pred = model(X[rows])
            loss = half_sse(pred, y[rows])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            per_update.append(2 * loss.item())
            total += 2 * loss.item()
        per_epoch.append(total)
    with mt.no_grad():
        final = model(X)._data.ravel().copy()
    return {"epoch": np.array(per_epoch), "update": np.array(per_update), "pred": final}


def initial_weights(dtype=mt.float64):
    """``(wih, who)`` uniform on [0, 1) from the package generator (the annex's
    ``np.random.random``)."""
    return mt.rand(2, HIDDEN, dtype=dtype).numpy(), mt.rand(HIDDEN, 1, dtype=dtype).numpy()


def compare(epochs: dict, seed: int, progress: bool = False) -> dict:
    """Run GD and SGD, each with layers and with the Function, all from the same initial weights.
    Returns ``{"gd": {"layers": curves, "function": curves}, "sgd": ..., "max_diff": float}``."""
    X, y = (a.astype(np.float64) for a in mt.data.datasets.xor())
    mt.manual_seed(seed)
    wih, who = initial_weights()  # GD and SGD start from the same point too
    out, diffs = {}, []
    for mode in ("gd", "sgd"):
        orders = (
            None
            if mode == "gd"
            else [mt.random.generator().permutation(4) for _ in range(epochs[mode])]
        )
        runs = {}
        for name, model in (("layers", layer_xor(wih, who)), ("function", FunctionXOR(wih, who))):
            start = time.perf_counter()
            runs[name] = train(model, X, y, epochs[mode], orders, f"xor {mode} {name}", progress)
            runs[name]["seconds"] = time.perf_counter() - start
        for key in ("update", "pred"):
            diffs.append(np.max(np.abs(runs["layers"][key] - runs["function"][key])))
        out[mode] = runs
    out["max_diff"] = float(max(diffs))
    return out


def first_below(curve, level: float):
    """1-based epoch where ``curve`` first drops below ``level`` (None if never)."""
    hits = np.flatnonzero(np.asarray(curve) < level)
    return int(hits[0]) + 1 if hits.size else None


def _from_epoch(curve) -> str:
    hit = first_below(curve, SOLVED)
    return f"< {SOLVED} from epoch {hit}" if hit is not None else f"not yet < {SOLVED}"


def rising_share(curve) -> float:
    """Share of steps where the error went up: 0 for a smooth descent."""
    return float(np.mean(np.diff(curve) > 0)) if len(curve) > 1 else 0.0


def run(config) -> Result:
    """GD vs SGD curves (Figs. 74-76) and the layers-vs-Function equivalence."""
    start = time.perf_counter()
    epochs = QUICK_EPOCHS if config.quick else EPOCHS
    out = compare(epochs, config.seed, config.progress)
    gd, sgd = out["gd"]["layers"], out["sgd"]["layers"]
    result = Result("xor", TITLE, data=out)
    result.rows += [
        Row(
            TITLE,
            "GD: final error sum((a2-y)^2)",
            "~0 after 1000 epochs (Fig. 74)",
            f"{gd['epoch'][-1]:.4f}; {_from_epoch(gd['epoch'])}",
            str(epochs["gd"]),
            gd["seconds"],
        ),
        Row(
            TITLE,
            "SGD: final error (sum over an epoch)",
            "flat after ~750 epochs (Fig. 75)",
            f"{sgd['epoch'][-1]:.4f}; {_from_epoch(sgd['epoch'])}",
            str(epochs["sgd"]),
            sgd["seconds"],
        ),
        Row(
            TITLE,
            "updates that raise the error, GD / SGD",
            "GD smooth, SGD oscillates (Fig. 76)",
            f"{rising_share(gd['update']):.1%} / {rising_share(sgd['update']):.1%}",
        ),
        Row(
            TITLE,
            "predictions for 00, 01, 10, 11 (GD)",
            "0 1 1 0",
            " ".join(f"{p:.2f}" for p in gd["pred"]),
        ),
        Row(
            TITLE,
            "layers vs hand-written Function: max |difference|",
            "(same formulas)",
            f"{out['max_diff']:.1e}",
        ),
    ]
    result.notes.append(
        f"2-{HIDDEN}-1 sigmoid network without biases, weights uniform on [0, 1), lr {LR}, "
        f"float64; SGD visits the four examples in a new random order each epoch. The layer "
        f"version (Linear + sigmoid, mt.optim.SGD) and the Function version (the annex's "
        f"updatewho/updatewih in backward) start from the same weights; the largest difference "
        f"between their per-update errors and final predictions is {out['max_diff']:.1e}."
    )
    plotting.add(
        result,
        figure(gd, sgd),
        config.out_dir,
        "xor_gd_vs_sgd.png",
        "Figs. 74-76: error per epoch with gradient descent, with SGD, and SGD zoomed",
    )
    result.seconds = time.perf_counter() - start
    return result


def figure(gd: dict, sgd: dict):
    """Three panels: GD's smooth curve, SGD's per-update errors with the epoch sum, a zoom."""
    fig = plotting.new_figure(15, 4.2)
    if fig is None:
        return None
    a, b, c = fig.subplots(1, 3)
    a.plot(np.arange(1, len(gd["epoch"]) + 1), gd["epoch"])
    a.set(title="Fig. 74: gradient descent (lr 1)", xlabel="epoch", ylabel="error")
    updates = np.arange(1, len(sgd["update"]) + 1) / 4  # 4 updates per epoch
    b.plot(
        updates,
        sgd["update"],
        color="C1",
        alpha=0.35,
        linewidth=0.6,
        label="one example (per update)",
    )
    b.plot(
        np.arange(1, len(sgd["epoch"]) + 1),
        sgd["epoch"],
        color="C3",
        linewidth=1,
        label="sum over the epoch",
    )
    b.set(title="Fig. 75: stochastic gradient descent", xlabel="epoch", ylabel="error")
    b.legend()
    half = max(2, len(sgd["epoch"]) // 2)  # the thesis zooms on the first half (xlim 0-1000)
    epochs = np.arange(1, half + 1)
    c.plot(epochs, sgd["epoch"][:half], color="C3", linewidth=0.8, label="SGD")
    c.plot(
        epochs,
        gd["epoch"][:half],
        color="C0",
        linestyle="--",
        linewidth=0.8,
        label="gradient descent",
    )
    c.set(
        title="Fig. 76: SGD zoomed (first half), GD for contrast",
        xlabel="epoch",
        ylabel="error (sum over the epoch)",
    )
    c.legend()
    return fig
