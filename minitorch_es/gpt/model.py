"""``CharGPT``: a decoder-only Transformer over characters (GPT-style), built from the
registered layers: token and position embeddings, ``num_layers`` pre-norm Transformer blocks
with causal self-attention (``TransformerEncoderLayer(norm_first=True)``), a final LayerNorm and
a linear head giving the logits of the next character."""

from __future__ import annotations

import numpy as np

import minitorch_es as mt


class CharGPT(mt.nn.Module):
    """``CharGPT(vocab_size, context=64, d_model=128, nhead=4, num_layers=4,
    dim_feedforward=None, dropout=0.1)``: ``model(ids)`` maps ``(B, T)`` token ids (T <=
    ``context``) to ``(B, T, vocab_size)`` logits; position t sees positions <= t only.
    ``dim_feedforward`` defaults to ``4 * d_model``.

        >>> model = CharGPT(vocab_size=20, context=8, d_model=16, nhead=2, num_layers=1)
        >>> model(mt.zeros(3, 8, dtype=mt.int64)).shape
        torch.Size([3, 8, 20])
    """

    def __init__(
        self,
        vocab_size: int,
        context: int = 64,
        d_model: int = 128,
        nhead: int = 4,
        num_layers: int = 4,
        dim_feedforward: int | None = None,
        dropout: float = 0.1,
    ) -> None:
        super().__init__()
        self.context = int(context)
        self.token = mt.nn.Embedding(vocab_size, d_model)
        self.position = mt.nn.Embedding(self.context, d_model)
        self.drop = mt.nn.Dropout(dropout)
        block = mt.nn.TransformerEncoderLayer(
            d_model,
            nhead,
            dim_feedforward or 4 * d_model,
            dropout,
            activation=mt.nn.GELU(approximate="tanh"),
            batch_first=True,
            norm_first=True,
        )
        self.blocks = mt.nn.TransformerEncoder(block, num_layers, norm=mt.nn.LayerNorm(d_model))
        self.head = mt.nn.Linear(d_model, vocab_size)
        self._masks: dict = {}

    def forward(self, ids: mt.Tensor) -> mt.Tensor:
        length = ids.shape[-1]
        if length > self.context:
            raise mt.ShapeError(
                f"CharGPT: expected at most {self.context} positions (context), got ids of shape "
                f"{tuple(ids.shape)}"
            )
        positions = mt.arange(length)
        x = self.drop(self.token(ids) + self.position(positions))
        x = self.blocks(x, mask=self._causal_mask(length, x.dtype), is_causal=True)
        return self.head(x)

    @mt.no_grad()
    def generate(
        self,
        ids: mt.Tensor,
        max_new_tokens: int,
        temperature: float = 1.0,
        top_k: int | None = None,
    ) -> mt.Tensor:
        """``ids`` ``(B, T)`` continued by ``max_new_tokens`` sampled tokens: each from the
        softmax of the last position's logits divided by ``temperature``, among the ``top_k``
        most likely (all when None); the model sees the last ``context`` tokens. Runs in eval
        mode and draws from the package generator (``mt.manual_seed`` repeats a sample)."""
        if temperature <= 0:
            raise ValueError(f"generate: temperature must be > 0, got {temperature}")
        if top_k is not None and not 1 <= top_k:
            raise ValueError(f"generate: top_k must be >= 1 or None, got {top_k}")
        was_training = self.training
        self.eval()
        out = ids.numpy(force=True).astype(np.int64)
        try:
            for _ in range(int(max_new_tokens)):
                logits = self(mt.tensor(out[:, -self.context :])).numpy(force=True)[:, -1]
                out = np.concatenate([out, sample(logits / temperature, top_k)[:, None]], axis=1)
        finally:
            self.train(was_training)
        return mt.tensor(out)

    def _causal_mask(self, length: int, dtype: object) -> mt.Tensor:
        key = (length, str(dtype))
        if key not in self._masks:
            self._masks[key] = mt.nn.Transformer.generate_square_subsequent_mask(
                length, dtype=dtype
            )
        return self._masks[key]


def sample(logits: np.ndarray, top_k: int | None = None) -> np.ndarray:
    """One index per row of ``logits`` ``(B, V)``, drawn from their softmax restricted to the
    ``top_k`` largest (from the package generator)."""
    logits = np.asarray(logits, dtype=np.float64)
    if top_k is not None and top_k < logits.shape[-1]:
        threshold = np.sort(logits, axis=-1)[:, -top_k][:, None]
        logits = np.where(logits < threshold, -np.inf, logits)
    probs = np.exp(logits - logits.max(axis=-1, keepdims=True))
    cumulative = np.cumsum(probs, axis=-1)
    draws = mt.random.generator().random(len(logits)) * cumulative[:, -1]
    return np.minimum((cumulative < draws[:, None]).sum(axis=-1), logits.shape[-1] - 1)


def sequence_cross_entropy(logits: mt.Tensor, targets: mt.Tensor) -> mt.Tensor:
    """Mean cross-entropy of ``(B, T, V)`` logits against ``(B, T)`` next-token ids (nats)."""
    return mt.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
