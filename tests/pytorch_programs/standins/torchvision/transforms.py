"""``ToTensor``, ``Normalize``, ``Compose`` and ``Lambda`` with torchvision's behaviour."""

import numpy as np
from corpus_backend import torch


class ToTensor:
    """A uint8 HxW(xC) image as a float32 CxHxW tensor in [0, 1]."""

    def __call__(self, pic):
        array = np.asarray(pic)
        if array.ndim == 2:
            array = array[:, :, None]
        return (
            torch.tensor(np.ascontiguousarray(array.transpose(2, 0, 1)), dtype=torch.float32) / 255
        )

    def __repr__(self):
        return "ToTensor()"


class Normalize:
    """``(tensor - mean) / std`` per channel."""

    def __init__(self, mean, std, inplace=False):
        self.mean, self.std = mean, std

    def __call__(self, tensor):
        mean = torch.tensor(self.mean, dtype=tensor.dtype).reshape(-1, 1, 1)
        std = torch.tensor(self.std, dtype=tensor.dtype).reshape(-1, 1, 1)
        return (tensor - mean) / std


class Compose:
    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img


class Lambda:
    def __init__(self, lambd):
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)
