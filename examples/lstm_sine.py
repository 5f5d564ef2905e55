"""An LSTM forecasts sine waves of unknown frequency and phase one step ahead.

Each sequence is ``sin(w t + phase)`` for t = 0..T with w drawn from [0.15, 0.45] rad/step; the
model reads the first values and predicts every next one, so it must infer the frequency from
what it has seen. Scored on new sequences by the mean squared error of the predictions from
step ``warmup`` on, against the naive forecast "the next value equals the last one".

    python examples/lstm_sine.py            # ~1 min on one core: test MSE < 1e-3
    python examples/lstm_sine.py --epochs 5 --train 256   # a quick run
"""

import argparse

import numpy as np

import minitorch_es as mt


def sine_waves(count, steps, rng):
    """``count`` sequences of ``steps + 1`` values: ``(inputs, next values)``, each (N, T, 1)."""
    w = rng.uniform(0.15, 0.45, (count, 1))
    phase = rng.uniform(0, 2 * np.pi, (count, 1))
    series = np.sin(w * np.arange(steps + 1) + phase).astype(np.float32)[..., None]
    return series[:, :-1], series[:, 1:]


class SineForecaster(mt.nn.Module):
    """LSTM(1, hidden) then a linear read-out of every step's hidden state."""

    def __init__(self, hidden=32):
        super().__init__()
        self.lstm = mt.nn.LSTM(1, hidden, batch_first=True)
        self.head = mt.nn.Linear(hidden, 1)

    def forward(self, x):
        states, _ = self.lstm(x)
        return self.head(states)


def run(train=2048, test=256, steps=40, hidden=32, epochs=30, warmup=10, seed=0, verbose=0):
    """Train and evaluate; returns ``{"mse": ..., "naive_mse": ...}`` on the test sequences
    (positions >= ``warmup``)."""
    mt.manual_seed(seed)
    rng = np.random.default_rng(seed)
    x, y = sine_waves(train, steps, rng)
    x_test, y_test = sine_waves(test, steps, rng)
    model = SineForecaster(hidden)
    optimizer = mt.optim.Adam(model.parameters(), lr=1e-2)
    scheduler = mt.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    trainer = mt.Trainer(model, optimizer=optimizer, loss="mse", scheduler=scheduler, metrics=None)
    trainer.fit(x, y, epochs=epochs, batch_size=64, verbose=verbose)
    predicted = trainer.predict(x_test)
    mse = float(np.mean((predicted[:, warmup:] - y_test[:, warmup:]) ** 2))
    naive = float(np.mean((x_test[:, warmup:] - y_test[:, warmup:]) ** 2))
    return {"mse": mse, "naive_mse": naive}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=2048, help="training sequences")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    result = run(
        train=args.train, hidden=args.hidden, epochs=args.epochs, seed=args.seed, verbose=2
    )
    print(f"test MSE {result['mse']:.2e} (naive last-value forecast: {result['naive_mse']:.2e})")
