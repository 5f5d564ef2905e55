"""Small demos that need nothing but the core: XOR learnt with plain Tensor operations."""

from __future__ import annotations

import minitorch_es as mt


def train_xor(
    epochs: int = 2000, lr: float = 1.0, hidden: int = 5, seed: int = 0
) -> tuple[mt.Tensor, list[float]]:
    """The thesis's XOR network (2-5-1, sigmoid, full-batch gradient descent, lr 1) written with
    Tensor operations only; returns the final predictions and the loss of every epoch."""
    mt.manual_seed(seed)
    x = mt.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = mt.tensor([[0.0], [1.0], [1.0], [0.0]])
    w1 = (mt.randn(2, hidden) * 1.0).requires_grad_()
    b1 = mt.zeros(hidden, requires_grad=True)
    w2 = (mt.randn(hidden, 1) * 1.0).requires_grad_()
    b2 = mt.zeros(1, requires_grad=True)
    params = [w1, b1, w2, b2]

    def sigmoid(z: mt.Tensor):
        return 1 / (1 + (-z).exp())

    losses = []
    for _ in range(epochs):
        hidden_out = sigmoid(x @ w1 + b1)
        pred = sigmoid(hidden_out @ w2 + b2)
        loss = ((pred - y) ** 2).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with mt.no_grad():
            for p in params:
                p -= lr * p.grad
        losses.append(loss.item())
    return pred.detach(), losses
