"""Global registration hooks (PyTorch's torch.nn.modules.module.register_module_*_hook)."""

import numpy as np

import minitorch_es as mt
from minitorch_es.nn.module import (
    register_module_buffer_registration_hook,
    register_module_parameter_registration_hook,
)


def test_every_parameter_and_buffer_registration_is_seen_and_may_be_replaced():
    seen = []

    def on_parameter(module, name, param):
        seen.append(("parameter", type(module).__name__, name, tuple(param.shape)))

    def on_buffer(module, name, buffer):
        seen.append(("buffer", type(module).__name__, name, np.asarray(buffer).shape))
        if name == "doubled":
            return np.asarray(buffer) * 2

    with (
        register_module_parameter_registration_hook(on_parameter),
        register_module_buffer_registration_hook(on_buffer),
    ):
        layer = mt.nn.Linear(3, 2)  # weight and bias, assigned as attributes
        layer.register_parameter("extra", mt.nn.Parameter(mt.zeros(4)))
        layer.register_buffer("doubled", np.ones(2))
        layer.doubled = np.ones(5)  # re-assigning a buffer registers it again
        layer.register_parameter("nothing", None)  # None is not a registration
    mt.nn.Linear(1, 1)  # removed: no longer seen
    assert seen == [
        ("parameter", "Linear", "weight", (2, 3)),
        ("parameter", "Linear", "bias", (2,)),
        ("parameter", "Linear", "extra", (4,)),
        ("buffer", "Linear", "doubled", (2,)),
        ("buffer", "Linear", "doubled", (5,)),
    ]
    np.testing.assert_array_equal(layer.doubled, np.full(5, 2.0))


def test_a_replacement_parameter_is_registered():
    replacement = mt.nn.Parameter(mt.ones(2, 3))
    with register_module_parameter_registration_hook(
        lambda module, name, param: replacement if name == "weight" else None
    ):
        layer = mt.nn.Linear(3, 2)
    assert layer.weight is replacement
