"""``mt.utils``: PyTorch's ``torch.utils`` namespace (``mt.utils.data``)."""

from . import data
