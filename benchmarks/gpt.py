"""Benchmark: a training step of a small GPT, minitorch_es against PyTorch CPU.

The model is ``minitorch_es.gpt.CharGPT`` (the ``minitorch-es gpt`` model: token and position
embeddings, 4 pre-norm Transformer blocks with causal self-attention, d_model 128, 4 heads,
feed-forward 512 with tanh-GELU, final LayerNorm, linear head over a 108-character
vocabulary) and the same network written with ``torch.nn``; dropout 0. The step: zero_grad,
forward on a batch of 32 contexts of 64 characters, cross-entropy, backward, AdamW step. Both
start from the same weights (PyTorch's, copied) and the losses are checked to agree.
Interleaved rounds, medians, ratio minitorch_es / PyTorch (issue 17's target: <= 1.5), as
``benchmarks/lstm.py`` (whose command line this uses); ``run_all.py`` includes it.

Usage::

    python benchmarks/gpt.py [--rounds 15] [--threads 1] [--openblas-coretype NAME]
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402,I001  (first: it pins the BLAS threads before NumPy loads)

import numpy as np  # noqa: E402
import lstm  # noqa: E402

import minitorch_es as mt  # noqa: E402
from minitorch_es.gpt import CharGPT, sequence_cross_entropy  # noqa: E402

VOCAB, CONTEXT, BATCH = 108, 64, 32
SIZE = {"d_model": 128, "nhead": 4, "num_layers": 4, "dropout": 0.0}


def torch_gpt(torch):
    """CharGPT written with torch.nn, with the same parameter names."""
    nn = torch.nn

    class TorchGPT(nn.Module):
        def __init__(self):
            super().__init__()
            d = SIZE["d_model"]
            self.token = nn.Embedding(VOCAB, d)
            self.position = nn.Embedding(CONTEXT, d)
            block = nn.TransformerEncoderLayer(
                d, SIZE["nhead"], 4 * d, 0.0, activation=nn.GELU(approximate="tanh"),
                batch_first=True, norm_first=True,
            )  # fmt: skip
            self.blocks = nn.TransformerEncoder(
                block, SIZE["num_layers"], norm=nn.LayerNorm(d), enable_nested_tensor=False
            )
            self.head = nn.Linear(d, VOCAB)
            self.register_buffer(
                "mask", nn.Transformer.generate_square_subsequent_mask(CONTEXT), persistent=False
            )

        def forward(self, ids):
            x = self.token(ids) + self.position(torch.arange(ids.shape[1]))
            return self.head(self.blocks(x, mask=self.mask, is_causal=True))

    return TorchGPT()


def compare(rounds: int) -> list[common.Row]:
    """Interleaved training steps of both GPTs: one row."""
    torch = common.import_torch()
    torch.manual_seed(0)
    theirs = torch_gpt(torch)
    ours = CharGPT(VOCAB, CONTEXT, **SIZE)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    rng = np.random.default_rng(0)
    x = rng.integers(0, VOCAB, (BATCH, CONTEXT))
    y = rng.integers(0, VOCAB, (BATCH, CONTEXT))
    xm, ym, xt, yt = mt.tensor(x), mt.tensor(y), torch.tensor(x), torch.tensor(y)
    opt_ours = mt.optim.AdamW(ours.parameters(), lr=1e-3)
    opt_torch = torch.optim.AdamW(theirs.parameters(), lr=1e-3)

    def loss_torch():
        logits = theirs(xt)
        return torch.nn.functional.cross_entropy(logits.reshape(-1, VOCAB), yt.reshape(-1))

    agree = abs(sequence_cross_entropy(ours(xm), ym).item() - loss_torch().item())
    assert agree < 1e-4, f"the two GPTs' losses differ by {agree}"

    def step_ours():
        opt_ours.zero_grad()
        sequence_cross_entropy(ours(xm), ym).backward()
        opt_ours.step()

    def step_torch():
        opt_torch.zero_grad()
        loss_torch().backward()
        opt_torch.step()

    steps = {"minitorch_es": step_ours, "PyTorch": step_torch}
    times = common.interleave(steps, rounds, warmup=lstm.WARMUP)
    count = sum(p.numel() for p in ours.parameters())
    label = (
        f"GPT (4 layers, 4 heads, d_model {SIZE['d_model']}, {count:,} parameters), context "
        f"{CONTEXT}, batch {BATCH}: AdamW training step"
    )
    return [common.Row.timed(label, times, ("minitorch_es", "PyTorch"))]


if __name__ == "__main__":
    lstm.main(__doc__.splitlines()[0], compare)
