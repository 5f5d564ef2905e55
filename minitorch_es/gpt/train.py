"""Training a `CharGPT` on a text with ``mt.Trainer``: the run directory holds ``gpt.json``
(the tokenizer and the model's arguments, written atomically) and ``last.h5`` (the checkpoint
of the last finished epoch: weights, optimizer, trainer; ``resume=True`` continues from it)."""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass

import minitorch_es as mt

from ..atomic import write_bytes
from .data import split_tokens, windows
from .model import CharGPT, sequence_cross_entropy
from .tokenizer import CharTokenizer

RUN_FILE, CHECKPOINT = "gpt.json", "last.h5"


@dataclass
class TrainConfig:
    """How to train: data windows, optimisation and stopping."""

    epochs: int = 20
    batch_size: int = 32
    lr: float = 2e-3
    weight_decay: float = 0.01
    stride: int = 16
    val_fraction: float = 0.1
    minutes: float | None = None
    seed: int = 0
    verbose: int = 2


class TimeLimit(mt.Callback):
    """Stop training at the end of the first epoch that ends after ``minutes`` minutes."""

    def __init__(self, minutes: float) -> None:
        self.minutes = float(minutes)
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if time.perf_counter() - self.start > 60.0 * self.minutes:
            self.trainer.stop_training = True


def bits_per_character(loss: float) -> float:
    """A mean cross-entropy in nats per character, in bits per character."""
    return loss / math.log(2.0)


def save_run(out_dir: str, tokenizer: CharTokenizer, model_args: dict) -> None:
    """Write ``gpt.json`` (atomically) so that `load_run` can rebuild the model."""
    os.makedirs(out_dir, exist_ok=True)
    text = json.dumps({"tokenizer": tokenizer.to_dict(), "model": model_args}, indent=1)
    write_bytes(os.path.join(out_dir, RUN_FILE), text.encode("utf-8"))


def load_run(out_dir: str, weights: bool = True) -> tuple:
    """``(model, tokenizer, model_args)`` of the run in ``out_dir`` (with the weights of its
    last checkpoint unless ``weights`` is False)."""
    path = os.path.join(out_dir, RUN_FILE)
    try:
        with open(path, encoding="utf-8") as f:
            state = json.load(f)
        tokenizer = CharTokenizer.from_dict(state["tokenizer"])
        model_args = dict(state["model"])
        model = CharGPT(**model_args)
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ValueError(f"{path}: not a usable GPT run file ({type(e).__name__}: {e})") from None
    if weights:
        mt.load_checkpoint(os.path.join(out_dir, CHECKPOINT), model=model, restore_rng=False)
    return model, tokenizer, model_args


def train(
    text: str, out_dir: str, model_args: dict, config: TrainConfig, resume: bool = False
) -> tuple:
    """Train (or, with ``resume``, continue training) a CharGPT on ``text``; returns ``(model,
    tokenizer, history)``. ``model_args`` are CharGPT's arguments without ``vocab_size``
    (ignored when resuming: the run's own are used)."""
    mt.manual_seed(config.seed)
    checkpoint = os.path.join(out_dir, CHECKPOINT)
    if resume:
        if not os.path.exists(checkpoint):
            raise ValueError(f"cannot resume: no checkpoint {checkpoint!r} (train without resume)")
        model, tokenizer, model_args = load_run(out_dir, weights=False)
    else:
        tokenizer = CharTokenizer.from_text(text)
        model_args = {"vocab_size": tokenizer.vocab_size, **model_args}
        model = CharGPT(**model_args)
        save_run(out_dir, tokenizer, model_args)
    tokens = tokenizer.encode(text)
    context = model.context
    train_part, val_part = split_tokens(tokens, config.val_fraction, context)
    x, y = windows(train_part, context, config.stride)
    x_val, y_val = windows(val_part, context, context)
    optimizer = mt.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    callbacks = [mt.callbacks.ModelCheckpoint(checkpoint)]
    if config.minutes:
        callbacks.append(TimeLimit(config.minutes))
    trainer = mt.Trainer(
        model, optimizer=optimizer, loss=sequence_cross_entropy, metrics=None, callbacks=callbacks
    )
    history = trainer.fit(
        x,
        y,
        epochs=config.epochs,
        batch_size=config.batch_size,
        validation_data=(x_val, y_val),
        verbose=config.verbose,
        resume_from=checkpoint if resume else None,
    )
    return model, tokenizer, history


def sample_text(
    model: CharGPT,
    tokenizer: CharTokenizer,
    prompt: str,
    max_new_tokens: int,
    temperature: float = 1.0,
    top_k: int | None = None,
) -> str:
    """``prompt`` continued by ``max_new_tokens`` sampled characters."""
    if not prompt:
        raise ValueError("the prompt must have at least one character")
    ids = mt.tensor(tokenizer.encode(prompt)[None, :])
    out = model.generate(ids, max_new_tokens, temperature=temperature, top_k=top_k)
    return tokenizer.decode(out.numpy(force=True)[0])
