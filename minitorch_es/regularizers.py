"""``mt.regularizers``: the `Regularizer` and `Constraint` bases from the core; L1, L2,
MaxNorm ... from the registry (the built-in plugins and any installed ones)."""

from .namespaces import namespace_dir, namespace_getattr
from .penalties import (  # noqa: F401  (re-exported)
    Constraint,
    Regularizer,
    apply_activity_regularizer,
    total_penalty,
)

__getattr__ = namespace_getattr("regularizers", __name__)
__dir__ = namespace_dir("regularizers", globals())
