"""``vgg16``: a VGG-shaped network small enough for the corpus (torchvision's VGG16 has 138 M
parameters and its ``IMAGENET1K_V1`` weights are a download): the same layer kinds, far fewer
channels; the "pretrained" weights are a fixed seeded initialisation."""

from corpus_backend import NAME, torch

nn = torch.nn


class VGG(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 4, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=2, stride=2),
            nn.Conv2d(4, 8, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=2, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((2, 2))
        self.classifier = nn.Sequential(
            nn.Linear(8 * 2 * 2, 16),
            nn.ReLU(True),
            nn.Dropout(p=0.5),
            nn.Linear(16, num_classes),
        )

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.classifier(x)


if NAME == "minitorch_es":
    # mt.save(model) stores a whole model as registered classes' configs.
    VGG = torch.register("layer", name="VGG")(VGG)


def vgg16(weights=None, progress=True, **kwargs):
    if weights is not None:
        torch.manual_seed(16)  # the stand-in's "pretrained" weights
    return VGG(**kwargs)
