"""examples/lstm_sine.py at a small size: the LSTM forecasts sine waves of unknown frequency
far better than the naive last-value forecast (the full run reaches a test MSE < 1e-4)."""

import importlib.util
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "lstm_sine.py"


def load_example():
    spec = importlib.util.spec_from_file_location("lstm_sine", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_small_lstm_beats_the_naive_forecast_tenfold():
    result = load_example().run(train=512, test=64, steps=30, hidden=16, epochs=12)
    assert result["mse"] < 0.1 * result["naive_mse"], result
