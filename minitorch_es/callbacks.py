"""``mt.callbacks``: every registered callbacks entry (built-in or from a plugin) by name."""

from .namespaces import namespace_dir, namespace_getattr

__getattr__ = namespace_getattr("callbacks", __name__)
__dir__ = namespace_dir("callbacks", globals())
