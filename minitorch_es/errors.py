"""Exception types shared across the package."""


class ShapeError(ValueError, RuntimeError):
    """Shapes that do not fit an operation. Catchable as ``ValueError`` or, as in PyTorch,
    ``RuntimeError``."""


class ConfigError(TypeError):
    """A value that cannot be described in (or rebuilt from) a config."""
