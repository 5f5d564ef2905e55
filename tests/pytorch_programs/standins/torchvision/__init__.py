"""A stand-in for the parts of torchvision the corpus programs use (torchvision is not
installed, and its datasets and weights are downloads): ``datasets.MNIST`` and
``datasets.FashionMNIST`` over the corpus's local data, ``transforms`` (ToTensor, Normalize,
Compose, Lambda), ``utils.save_image`` (writes nothing), ``models.vgg16`` (a small VGG-shaped
network) and ``io.read_image`` (never called by the programs)."""

from . import datasets, io, models, transforms, utils
