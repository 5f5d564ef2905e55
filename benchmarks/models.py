"""The benchmark workloads, each written once against a library's ``nn`` (minitorch_es's or
torch's: the same code builds both), with the data and batch size it trains on.

* ``mlp``: the thesis's MNIST MLP 784-64-32-10 (ReLU), batch 128;
* ``cnn``: the thesis CNN, conv 1->8 3x3, pool, conv 8->16 3x3, pool, linear 400->10, batch 128;
* ``lenet5-28`` / ``lenet5-32``: LeNet-5 with ReLU and max pooling (conv 1->6 5x5, pool,
  conv 6->16 5x5, pool, 400-120-84-10) on MNIST 28x28 (first conv padded by 2, as the
  PyTorch tutorials do) and on MNIST zero-padded to 32x32 (LeNet-5's own input), batch 128;
* ``vgg-block``: one VGG block on CIFAR-shaped 3x32x32 input: (conv 3x3 pad 1, BatchNorm2d,
  ReLU) x 2 with 32 channels, max pool, linear 8192->10, batch 64.

Every workload trains with Adam(lr=1e-3) on cross-entropy. All start from the same weights:
minitorch_es's initial state dict is loaded into the PyTorch model.
"""

from __future__ import annotations

from dataclasses import dataclass

from common import mnist, random_images


def thesis_mlp(nn):
    return nn.Sequential(
        nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10)
    )


def thesis_cnn(nn, width: int = 1):
    """``width`` multiplies the channels (2: 16/32 channels, the accuracy configuration)."""
    c1, c2 = 8 * width, 16 * width
    return nn.Sequential(
        nn.Conv2d(1, c1, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(c1, c2, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(c2 * 25, 10),
    )


def lenet5(nn, size: int = 32):
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=(32 - size) // 2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120),
        nn.ReLU(),
        nn.Linear(120, 84),
        nn.ReLU(),
        nn.Linear(84, 10),
    )


def vgg_block(nn, channels: int = 32):
    return nn.Sequential(
        nn.Conv2d(3, channels, 3, padding=1),
        nn.BatchNorm2d(channels),
        nn.ReLU(),
        nn.Conv2d(channels, channels, 3, padding=1),
        nn.BatchNorm2d(channels),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(channels * 16 * 16, 10),
    )


@dataclass
class Workload:
    name: str
    build: object  # nn -> model
    data: object  # data_dir -> (x, y)
    batch_size: int
    description: str


WORKLOADS = {
    w.name: w
    for w in (
        Workload("mlp", thesis_mlp, lambda d: mnist(d, flat=True), 128, "thesis MLP 784-64-32-10"),
        Workload("cnn", thesis_cnn, lambda d: mnist(d), 128, "thesis CNN 8/16 channels, 28x28"),
        Workload("lenet5-28", lambda nn: lenet5(nn, 28), lambda d: mnist(d), 128, "LeNet-5 28x28"),
        Workload(
            "lenet5-32", lambda nn: lenet5(nn, 32), lambda d: mnist(d, 32), 128, "LeNet-5 32x32"
        ),
        Workload(
            "vgg-block",
            vgg_block,
            lambda d: random_images(6400, (3, 32, 32)),
            64,
            "VGG block 2x(conv 32, BN, ReLU), pool; 3x32x32",
        ),
    )
}
