"""Exception types shared across the package, and `warn`, which points warnings at the user's
line."""

from __future__ import annotations

import sys
import warnings

# Frames of these packages are the library's own; a warning points past them.
LIBRARY_PACKAGES = ("minitorch_es", "minitorch_es_plugins", "pluggy")


class ShapeError(ValueError, RuntimeError):
    """Shapes that do not fit an operation. Catchable as ``ValueError`` or, as in PyTorch,
    ``RuntimeError``."""


def _is_library(frame) -> bool:  # noqa: ANN001 - a frame object
    spec = frame.f_globals.get("__spec__")  # names a module run with `python -m` too
    name = getattr(spec, "name", None) or frame.f_globals.get("__name__", "")
    code = frame.f_code.co_filename
    internal_import = "importlib" in code and "_bootstrap" in code  # `import minitorch_es`
    return internal_import or any(
        name == package or name.startswith(package + ".") for package in LIBRARY_PACKAGES
    )


def warn(message: str, category: type[Warning] = UserWarning) -> None:
    """``warnings.warn`` reported at the first line outside minitorch_es (and its plugins): the
    user's call that led to the warning, however deep in the library it was raised. A fixed
    ``stacklevel`` cannot do this, because the same warning is reached through different call
    paths (``fit`` -> callbacks -> plugin).

        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     mt.errors.warn("look here")
        >>> str(caught[0].message), caught[0].category.__name__
        ('look here', 'UserWarning')
    """
    frame = sys._getframe(1)
    while frame is not None and _is_library(frame):
        frame = frame.f_back
    if frame is None:  # called from the library alone (e.g. at interpreter exit)
        warnings.warn(message, category, stacklevel=2)
        return
    module_globals = frame.f_globals
    # No module_globals: its loader lookup fails for a `python -m` main module; the source line
    # is then read from the file name.
    warnings.warn_explicit(
        message,
        category,
        frame.f_code.co_filename,
        frame.f_lineno,
        module=module_globals.get("__name__"),
        registry=module_globals.setdefault("__warningregistry__", {}),
    )


class RegistryError(LookupError):
    """An unknown, duplicate or malformed registry entry."""


class ConfigError(TypeError):
    """A value that cannot be described in (or rebuilt from) a config."""
