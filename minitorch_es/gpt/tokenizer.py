"""``CharTokenizer``: one token per character of a fixed vocabulary; ``decode(encode(text))``
gives ``text`` back for any text written with that vocabulary."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


class CharTokenizer:
    """The characters of ``vocabulary`` (sorted, without repeats) numbered from 0; ``to_dict``
    and ``from_dict`` store and rebuild it.

        >>> tok = CharTokenizer.from_text("hola mundo")
        >>> tok.encode("hola").tolist()
        [3, 7, 4, 1]
        >>> tok.decode(tok.encode("modo"))
        'modo'
    """

    def __init__(self, vocabulary: Iterable[str]) -> None:
        chars = sorted(set(vocabulary))
        if not chars or not all(isinstance(c, str) and len(c) == 1 for c in chars):
            raise ValueError(
                "CharTokenizer: the vocabulary must be a non-empty collection of single "
                f"characters, got {list(vocabulary)[:10]!r}"
            )
        self.chars = chars
        self.index = {c: i for i, c in enumerate(chars)}

    @classmethod
    def from_text(cls, text: str) -> CharTokenizer:
        """The tokenizer of every character that occurs in ``text``."""
        return cls(text)

    @property
    def vocab_size(self) -> int:
        """The number of distinct tokens."""
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        """The token ids of ``text`` (int64); a character outside the vocabulary is an error
        naming it and its position."""
        try:
            return np.fromiter((self.index[c] for c in text), dtype=np.int64, count=len(text))
        except KeyError as e:
            position = next(i for i, c in enumerate(text) if c not in self.index)
            raise ValueError(
                f"CharTokenizer: character {e.args[0]!r} at position {position} is not in the "
                f"vocabulary of {self.vocab_size} characters"
            ) from None

    def decode(self, ids: Iterable[int]) -> str:
        """The text of the token ids ``ids``."""
        ids = np.asarray(ids, dtype=np.int64).reshape(-1)
        bad = ids[(ids < 0) | (ids >= self.vocab_size)]
        if bad.size:
            raise ValueError(
                f"CharTokenizer: token id {int(bad[0])} is outside 0..{self.vocab_size - 1}"
            )
        return "".join(self.chars[i] for i in ids)

    def to_dict(self) -> dict:
        """``{"chars": [...]}``, JSON-serialisable; `from_dict` rebuilds the tokenizer."""
        return {"chars": list(self.chars)}

    @classmethod
    def from_dict(cls, state: dict) -> CharTokenizer:
        """The tokenizer described by `to_dict`'s output."""
        if not isinstance(state, dict) or not isinstance(state.get("chars"), list):
            raise ValueError(f"CharTokenizer: expected a dict with a 'chars' list, got {state!r}")
        return cls(state["chars"])
