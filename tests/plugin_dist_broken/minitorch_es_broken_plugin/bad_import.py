"""A plugin module that fails while being imported."""

raise ImportError("demo: a dependency of this plugin is missing")
