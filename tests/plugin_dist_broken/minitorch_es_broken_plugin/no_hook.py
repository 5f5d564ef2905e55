"""A module declared as a plugin that forgot the ``minitorch_es_register`` hook."""


def register(registry):
    """Not marked with ``@minitorch_es.hookimpl`` and wrongly named, so never called."""
    registry.add("activation", "Forgotten", object)
