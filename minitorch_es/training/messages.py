"""Where a callback's message goes: after the current epoch's line while a fit prints one,
else straight to the console (`Callback.announce` calls `say` on the main process only)."""

from __future__ import annotations

from typing import Any

RUNNING: list[Any] = []  # the progress loggers of the fits running now (innermost last)


def say(message: str) -> None:
    """Print ``message`` for the user; inside ``fit`` it comes after the line of the epoch
    that produced it."""
    if RUNNING:
        RUNNING[-1].note(message)
    else:
        print(message, flush=True)
