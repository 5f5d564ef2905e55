"""A plugin whose hook fails after adding one entry: that entry must not stay registered."""

import minitorch_es as mt
from minitorch_es.nn import Module


class Halfway(Module):
    """Never usable: its plugin fails after adding it."""

    def forward(self, x):
        return x


@mt.hookimpl
def minitorch_es_register(registry):
    registry.add("activation", "Halfway", Halfway)
    raise RuntimeError("demo: the hook failed half-way")
