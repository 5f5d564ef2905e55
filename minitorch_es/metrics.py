"""``mt.metrics``: every registered metrics entry (built-in or from a plugin) by name."""

from .namespaces import namespace_dir, namespace_getattr

__getattr__ = namespace_getattr("metrics", __name__)
__dir__ = namespace_dir("metrics", globals())
