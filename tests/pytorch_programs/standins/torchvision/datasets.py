"""``MNIST`` and ``FashionMNIST`` over the corpus's local images (see corpus_data)."""

import corpus_data
from corpus_backend import torch


class MNIST:
    """``torchvision.datasets.MNIST``'s interface: ``(image, int label)`` samples, where the
    image is a 28x28 uint8 array (torchvision's is a PIL image; ``ToTensor`` takes either)."""

    classes = [
        f"{d} - {name}"
        for d, name in enumerate("zero one two three four five six seven eight nine".split())
    ]

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        self.root, self.train = root, train
        self.transform, self.target_transform = transform, target_transform
        images, labels = corpus_data.mnist(train)
        self.data, self.targets = torch.tensor(images), torch.tensor(labels)
        self._images, self._labels = images, labels

    def __len__(self):
        return len(self._labels)

    def __getitem__(self, index):
        img, target = self._images[index], int(self._labels[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target


class FashionMNIST(MNIST):
    """The same local images under FashionMNIST's class names."""

    classes = [
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ]
