"""The built-in catalog of minitorch_es, registered through the same pluggy hook as any
external plugin."""
