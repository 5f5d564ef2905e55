"""The layers and functional forms beyond the thesis's core set, gathered for
``minitorch_es_plugins.layers`` to register: padding, resizing, block extraction, group
normalisation, channel dropout, pixel shuffling, the bilinear layer and the 1-D and transposed
convolutions (each in its own module)."""

from __future__ import annotations

from .adaptive_max_pool import (
    AdaptiveMaxPool1d,
    AdaptiveMaxPool2d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
)
from .bilinear import Bilinear, bilinear
from .channel_dropout import Dropout1d, Dropout2d, Dropout3d, dropout1d, dropout2d, dropout3d
from .conv_modules import Conv1d, ConvTranspose1d, ConvTranspose2d
from .conv_nd import conv1d, conv_transpose1d, conv_transpose2d
from .fold import Fold, Unfold, fold, unfold
from .group_norm import GroupNorm, group_norm
from .instance_norm import InstanceNorm1d, InstanceNorm2d, instance_norm
from .local_response_norm import LocalResponseNorm, local_response_norm
from .lp_pool import LPPool1d, LPPool2d, lp_pool1d, lp_pool2d
from .max_unpool import MaxUnpool2d, max_unpool2d
from .pad import pad
from .pad_layers import PAD_LAYERS
from .pixel_shuffle import PixelShuffle, PixelUnshuffle, pixel_shuffle, pixel_unshuffle
from .pooling_1d import (
    AdaptiveAvgPool1d,
    AvgPool1d,
    MaxPool1d,
    adaptive_avg_pool1d,
    avg_pool1d,
    max_pool1d,
)
from .resampling import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d, interpolate
from .rms_norm import RMSNorm, rms_norm

# name: (class, aliases), as LAYERS in the package's __init__
MORE_LAYERS = {
    "Conv1d": (Conv1d, ()),  # Keras's "Conv1D" is the same name once normalised
    "ConvTranspose1d": (ConvTranspose1d, ()),
    "ConvTranspose2d": (ConvTranspose2d, ("Conv2DTranspose",)),
    "Bilinear": (Bilinear, ()),
    "GroupNorm": (GroupNorm, ("GroupNormalization",)),
    "RMSNorm": (RMSNorm, ()),
    "InstanceNorm1d": (InstanceNorm1d, ()),
    "InstanceNorm2d": (InstanceNorm2d, ()),
    "MaxPool1d": (MaxPool1d, ("MaxPooling1D",)),
    "AvgPool1d": (AvgPool1d, ("AveragePooling1D",)),
    "AdaptiveAvgPool1d": (AdaptiveAvgPool1d, ()),
    "AdaptiveMaxPool1d": (AdaptiveMaxPool1d, ()),
    "AdaptiveMaxPool2d": (AdaptiveMaxPool2d, ()),
    "LPPool1d": (LPPool1d, ()),
    "LPPool2d": (LPPool2d, ()),
    "LocalResponseNorm": (LocalResponseNorm, ()),
    "MaxUnpool2d": (MaxUnpool2d, ()),
    "Upsample": (Upsample, ()),
    "UpsamplingNearest2d": (UpsamplingNearest2d, ()),
    "UpsamplingBilinear2d": (UpsamplingBilinear2d, ()),
    "Unfold": (Unfold, ()),
    "Fold": (Fold, ()),
    "Dropout1d": (Dropout1d, ("SpatialDropout1D",)),
    "Dropout2d": (Dropout2d, ("SpatialDropout2D",)),
    "Dropout3d": (Dropout3d, ("SpatialDropout3D",)),
    "PixelShuffle": (PixelShuffle, ()),
    "PixelUnshuffle": (PixelUnshuffle, ()),
    **{cls.__name__: (cls, ()) for cls in PAD_LAYERS},
}

MORE_FUNCTIONAL = {
    "conv1d": conv1d,
    "conv_transpose1d": conv_transpose1d,
    "conv_transpose2d": conv_transpose2d,
    "bilinear": bilinear,
    "pad": pad,
    "interpolate": interpolate,
    "unfold": unfold,
    "fold": fold,
    "group_norm": group_norm,
    "rms_norm": rms_norm,
    "instance_norm": instance_norm,
    "max_pool1d": max_pool1d,
    "avg_pool1d": avg_pool1d,
    "adaptive_avg_pool1d": adaptive_avg_pool1d,
    "adaptive_max_pool1d": adaptive_max_pool1d,
    "adaptive_max_pool2d": adaptive_max_pool2d,
    "lp_pool1d": lp_pool1d,
    "lp_pool2d": lp_pool2d,
    "local_response_norm": local_response_norm,
    "max_unpool2d": max_unpool2d,
    "dropout1d": dropout1d,
    "dropout2d": dropout2d,
    "dropout3d": dropout3d,
    "pixel_shuffle": pixel_shuffle,
    "pixel_unshuffle": pixel_unshuffle,
}
