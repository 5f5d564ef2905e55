"""Broken minitorch_es plugins (see the modules); the package itself imports fine."""
