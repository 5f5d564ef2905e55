"""The character-level GPT (minitorch_es.gpt) and ``minitorch-es gpt``: tokenizer round trip,
train/validation split, causality, sampling, training with checkpoints and resume, errors."""

import json

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.cli import main
from minitorch_es.gpt import (
    CharGPT,
    CharTokenizer,
    TrainConfig,
    load_run,
    read_text,
    sample,
    sample_text,
    split_tokens,
    train,
    windows,
)

TEXT = (
    "La red neuronal aprende de los datos. El descenso del gradiente ajusta los pesos; "
    "la retropropagación calcula las derivadas. ¿Qué función de activación? ReLU, sigmoide, "
    "tangente hiperbólica. "
) * 6
TINY = {"context": 16, "d_model": 16, "nhead": 2, "num_layers": 1, "dropout": 0.0}


def test_tokenizer_round_trips_and_rejects_unknown_characters():
    tok = CharTokenizer.from_text(TEXT)
    assert tok.decode(tok.encode(TEXT)) == TEXT
    assert tok.vocab_size == len(set(TEXT)) and tok.chars == sorted(set(TEXT))
    again = CharTokenizer.from_dict(json.loads(json.dumps(tok.to_dict())))
    assert again.chars == tok.chars
    with pytest.raises(ValueError, match=r"character 'Z' at position 3 is not in the vocabulary"):
        tok.encode("La Z")
    with pytest.raises(ValueError, match="token id 999 is outside"):
        tok.decode([999])
    with pytest.raises(ValueError, match="non-empty collection of single characters"):
        CharTokenizer(["ab"])


def test_split_holds_out_evenly_spaced_blocks_and_windows_shift_by_one():
    tokens = np.arange(1000)
    train_parts, val_parts = split_tokens(tokens, 0.1, context=5, blocks=50)
    held = np.concatenate(val_parts)
    assert len(held) == 100 and held[0] == 180 and held[-1] == 999
    assert not set(held) & set(np.concatenate(train_parts))
    x, y = windows(val_parts, context=5, stride=5)
    np.testing.assert_array_equal(y[:, :-1], x[:, 1:])
    assert ((x[:, -1] + 1) == y[:, -1]).all()  # no window crosses from one piece to another
    with pytest.raises(ValueError, match="cut into 50 blocks .* each needs at least 65"):
        split_tokens(np.arange(1000), 0.1, context=64)
    with pytest.raises(ValueError, match=r"val_fraction must be in \(0, 1\)"):
        split_tokens(tokens, 1.0, context=5)


def test_model_is_causal_and_refuses_long_inputs():
    model = CharGPT(vocab_size=10, **TINY).double().eval()
    ids = np.random.default_rng(0).integers(0, 10, (2, 12))
    changed = ids.copy()
    changed[:, 8:] = (changed[:, 8:] + 1) % 10
    a = model(mt.tensor(ids)).numpy(force=True)
    b = model(mt.tensor(changed)).numpy(force=True)
    np.testing.assert_allclose(a[:, :8], b[:, :8], rtol=1e-12)  # the past does not see ahead
    assert not np.allclose(a[:, 8:], b[:, 8:])
    with pytest.raises(mt.ShapeError, match=r"at most 16 positions \(context\), got ids of shape"):
        model(mt.zeros(1, 17, dtype=mt.int64))


def test_sampling_respects_top_k_and_the_seed():
    logits = np.log(np.array([[0.1, 0.2, 0.3, 0.4]] * 2000))
    mt.manual_seed(1)
    draws = sample(logits, top_k=2)
    assert set(draws) == {2, 3} and abs((draws == 3).mean() - 4 / 7) < 0.04
    mt.manual_seed(1)
    np.testing.assert_array_equal(draws, sample(logits, top_k=2))
    model = CharGPT(vocab_size=10, **TINY)
    out = model.generate(mt.zeros(1, 3, dtype=mt.int64), 20, temperature=0.5, top_k=1)
    assert out.shape == (1, 23) and model.training  # the mode is restored
    with pytest.raises(ValueError, match="temperature must be > 0"):
        model.generate(mt.zeros(1, 3, dtype=mt.int64), 2, temperature=0)


def test_training_checkpoints_and_resume(tmp_path):
    config = TrainConfig(epochs=1, batch_size=16, stride=8, verbose=0)
    model, tok, history = train(TEXT, str(tmp_path), TINY, config)
    assert set(history.history) >= {"loss", "val_loss"}
    assert (tmp_path / "gpt.json").exists() and (tmp_path / "last.h5").exists()
    config.epochs = 2
    resumed, _, history = train(TEXT, str(tmp_path), {}, config, resume=True)
    assert len(history.history["loss"]) == 2  # the first epoch came from the checkpoint
    loaded, tok2, args = load_run(str(tmp_path))
    assert args["vocab_size"] == tok.vocab_size and tok2.chars == tok.chars
    for (name, p), q in zip(resumed.named_parameters(), loaded.parameters()):
        np.testing.assert_array_equal(p.numpy(force=True), q.numpy(force=True), err_msg=name)
    text = sample_text(loaded, tok2, "La red", 30, temperature=0.8, top_k=5)
    assert text.startswith("La red") and len(text) == 36


def test_cli_trains_samples_and_reports_bits_per_character(tmp_path, capsys):
    data = tmp_path / "tesis.txt"
    data.write_text(TEXT, encoding="utf-8")
    out = tmp_path / "run"
    args = [
        "gpt",
        "--data",
        str(data),
        "--out",
        str(out),
        "--epochs",
        "1",
        "--context",
        "16",
        "--d-model",
        "16",
        "--heads",
        "2",
        "--layers",
        "1",
        "--stride",
        "8",
        "--sample",
        "20",
    ]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "bits per character" in printed and "La red neuronal" in printed
    assert main(["gpt", "--generate", "--out", str(out), "--prompt", "El", "--sample", "5"]) == 0
    assert "--- sample" in capsys.readouterr().out


def test_cli_errors_name_the_problem(tmp_path, capsys):
    binary = tmp_path / "latin1.txt"
    binary.write_bytes("Año".encode("latin-1") * 100)
    assert main(["gpt", "--data", str(binary), "--out", str(tmp_path / "r")]) == 1
    assert "is not UTF-8 text: byte 0xf1 at offset 1" in capsys.readouterr().err
    assert main(["gpt", "--data", str(tmp_path / "missing.txt")]) == 1
    assert "cannot read the text file" in capsys.readouterr().err
    assert main(["gpt", "--out", str(tmp_path / "r")]) == 1
    assert "--data FILE is required" in capsys.readouterr().err
    assert main(["gpt", "--generate", "--out", str(tmp_path / "nothing")]) == 1
    assert "not a usable GPT run file" in capsys.readouterr().err
    short = tmp_path / "short.txt"
    short.write_text("hola " * 40, encoding="utf-8")
    assert main(["gpt", "--data", str(short), "--out", str(tmp_path / "s")]) == 1
    assert "each needs at least 65" in capsys.readouterr().err
    with pytest.raises(ValueError, match="cannot resume: no checkpoint"):
        train(TEXT, str(tmp_path / "fresh"), TINY, TrainConfig(verbose=0), resume=True)
    good = tmp_path / "good.txt"
    good.write_text(TEXT, encoding="utf-8")
    assert read_text(good) == TEXT
