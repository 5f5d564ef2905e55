"""``mt.utils.data.distributed``: PyTorch's ``torch.utils.data.distributed``
(`DistributedSampler`, the class of ``mt.data.DistributedSampler``)."""

from ...data.sampler import DistributedSampler

__all__ = ["DistributedSampler"]
