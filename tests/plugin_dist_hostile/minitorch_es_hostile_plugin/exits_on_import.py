"""A plugin module that ends the interpreter while being imported."""

import sys

sys.exit("\x1b[2Jbye from exits_on_import")
