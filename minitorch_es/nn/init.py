"""``mt.nn.init``: initializers, all provided by plugins (``kaiming_normal_``, ``xavier_uniform_``
..., exported to ``"nn.init"``, and the initializer classes of the registry)."""

from ..namespaces import namespace_dir, namespace_getattr

__getattr__ = namespace_getattr("nn.init", __name__)
__dir__ = namespace_dir("nn.init", globals())
