"""A plugin that registers a number as a layer."""

import minitorch_es as mt


@mt.hookimpl
def minitorch_es_register(registry):
    registry.add("layer", "FortyTwo", 42)
