"""The layers and functional forms beyond the thesis's core set, gathered for
``minitorch_es_plugins.layers`` to register: padding, resizing, block extraction, group
normalisation, channel dropout and pixel shuffling (each in its own module)."""

from __future__ import annotations

from .fold import Fold, Unfold, fold, unfold
from .group_norm import GroupNorm, group_norm
from .pad import pad
from .pad_layers import PAD_LAYERS
from .resampling import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d, interpolate

# name: (class, aliases), as LAYERS in the package's __init__
MORE_LAYERS = {
    "GroupNorm": (GroupNorm, ("GroupNormalization",)),
    "Upsample": (Upsample, ()),
    "UpsamplingNearest2d": (UpsamplingNearest2d, ()),
    "UpsamplingBilinear2d": (UpsamplingBilinear2d, ()),
    "Unfold": (Unfold, ()),
    "Fold": (Fold, ()),
    **{cls.__name__: (cls, ()) for cls in PAD_LAYERS},
}

MORE_FUNCTIONAL = {
    "pad": pad,
    "interpolate": interpolate,
    "unfold": unfold,
    "fold": fold,
    "group_norm": group_norm,
}
