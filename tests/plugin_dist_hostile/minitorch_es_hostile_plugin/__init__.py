"""Hostile plugins for the tests: see the modules."""
