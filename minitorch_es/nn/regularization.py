"""The regularization penalties of `Module` (a mixin): ``regularization_loss``, and the cache
of which parameters and modules contribute to it."""

from __future__ import annotations

from ..penalties import ACTIVITY_PENALTY, activity_recorders, total_penalty
from ..tensor import Tensor
from .parameter import Parameter
from .tables import Table


class ModuleRegularization:
    """The penalties of `Module`."""

    def regularization_loss(self) -> Tensor:
        """The penalties to add to the loss, as Keras's ``sum(model.losses)``: each parameter's
        ``regularizer`` on its current value plus the activity penalties of the last forward
        pass (0 when there are none). ``loss + model.regularization_loss()`` is then Keras's
        loss in any training loop. Only the activity part backpropagates: every optimizer's
        ``step`` adds the weight penalties' gradients itself, so none counts twice."""
        return total_penalty(*self._penalty_sources())

    def _penalty_sources(self) -> tuple[list, list]:
        """The parameters that carry a regularizer and the modules that recorded an activity
        penalty: walking the tree for them at every training step costs more than the rest
        of a small model's step, so they are cached until a parameter's rules, a module table
        (`Table`) or the set of recording modules changes."""
        key = (Parameter.rules_changes, Table.changes, activity_recorders())
        cached = self.__dict__.get("_penalty_cache")
        if cached is None or cached[0] != key:
            regularized = [p for p in self.parameters() if p.regularizer is not None]
            recorders = [m for m in self.modules() if ACTIVITY_PENALTY in m.__dict__]
            cached = (key, regularized, recorders)
            object.__setattr__(self, "_penalty_cache", cached)
        return cached[1], cached[2]
