"""The text of a character-level language model: read (UTF-8), split into a training and a
validation part, and cut into ``(input, next-character target)`` windows."""

from __future__ import annotations

import os

import numpy as np


def read_text(path: str | os.PathLike) -> str:
    """The UTF-8 text of ``path``; a missing, unreadable or non-UTF-8 file is an error that
    names it (and the offending byte)."""
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except UnicodeDecodeError as e:
        raise ValueError(
            f"{os.fspath(path)!r} is not UTF-8 text: byte {e.object[e.start]:#04x} at offset "
            f"{e.start} ({e.reason})"
        ) from None
    except OSError as e:
        raise ValueError(f"cannot read the text file {os.fspath(path)!r}: {e.strerror}") from None


def split_tokens(tokens: np.ndarray, val_fraction: float, context: int, blocks: int = 50) -> tuple:
    """``(train, validation)`` lists of contiguous pieces of ``tokens``: the text is cut into
    ``blocks`` equal blocks and evenly spaced ones, a ``val_fraction`` of them, are held out,
    so the validation text is unseen passages from all over the text (a thesis ends with
    code and references: its tail alone would not be like the rest). Every piece must hold a
    window of ``context + 1`` characters."""
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
    size = len(tokens) // blocks
    if size < context + 1:
        raise ValueError(
            f"the text has {len(tokens)} characters: cut into {blocks} blocks for the "
            f"train/validation split, each needs at least {context + 1} (context + 1); use a "
            f"longer text or a smaller --context"
        )
    held = [int((i + 1) * val_fraction) > int(i * val_fraction) for i in range(blocks)]
    train, val = [], []
    start = 0
    for i in range(blocks):
        end = len(tokens) if i == blocks - 1 else start + size
        part = val if held[i] else train
        if part and part[-1][1] == start:  # extend the previous piece: contiguous text
            part[-1] = (part[-1][0], end)
        else:
            part.append((start, end))
        start = end
    return [tokens[a:b] for a, b in train], [tokens[a:b] for a, b in val]


def windows(pieces: list, context: int, stride: int) -> tuple:
    """``(x, y)`` of shape ``(N, context)``: windows starting every ``stride`` characters of
    each piece (none crosses from one piece into another) and the same windows shifted by one
    (the next character of every position)."""
    if stride < 1:
        raise ValueError(f"stride must be >= 1, got {stride}")
    views = [
        np.lib.stride_tricks.sliding_window_view(piece, context + 1)[::stride]
        for piece in pieces
        if len(piece) > context
    ]
    both = np.concatenate(views)
    return np.ascontiguousarray(both[:, :-1]), np.ascontiguousarray(both[:, 1:])
