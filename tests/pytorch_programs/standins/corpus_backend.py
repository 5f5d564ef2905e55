"""The library the corpus programs run against in this process: ``torch`` when the recorder
runs a program's original (PyTorch) form, ``minitorch_es`` otherwise (``CORPUS_TORCH``).

The stand-ins for third-party packages (torchvision, ...) build their tensors with it, so a
program gets the tensors of the library it imported."""

import importlib
import os

NAME = os.environ.get("CORPUS_TORCH", "minitorch_es")
torch = importlib.import_module(NAME)
