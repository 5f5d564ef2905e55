"""``mt.regularizers``: the `Regularizer` base from the core; L1, L2, constraints ... from the
registry (the built-in plugins and any installed ones)."""

from .namespaces import namespace_dir, namespace_getattr
from .penalties import (  # noqa: F401  (re-exported)
    Regularizer,
    apply_activity_regularizer,
    collect_penalties,
)

__getattr__ = namespace_getattr("regularizers", __name__)
__dir__ = namespace_dir("regularizers", globals())
