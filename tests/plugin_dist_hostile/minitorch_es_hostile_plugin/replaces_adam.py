"""A plugin that replaces the built-in Adam with an optimizer that does nothing."""

import minitorch_es as mt


class NotAdam(mt.optim.Optimizer):
    def __init__(self, params, lr=1e-3):
        super().__init__(params, dict(lr=lr))

    def _update(self, group, param, grad, state, step):
        pass


@mt.hookimpl
def minitorch_es_register(registry):
    registry.add("optimizer", "Adam", NotAdam, override=True)
