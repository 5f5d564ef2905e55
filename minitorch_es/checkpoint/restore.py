"""Loading a state read from a file into a live object (a model, an optimizer, a scheduler,
the trainer, the random generator) as untrusted input: checked against the object's own state
first, and every failure turned into a `CheckpointError` whose text is escaped."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..printable import printable
from .format import CheckpointError
from .trees import check_like


def restore(
    where: str, section: str, load: Callable[[Any], Any], state: Any, current: Any = None
) -> None:
    """``load(state)`` (a load_state_dict), after checking ``state`` against the object's
    ``current`` state (see `check_like`); any failure on the file's data is a CheckpointError
    starting with ``where`` (the file, as the user gave it, in quotes)."""
    try:
        if current is not None:
            check_like(current, state, f"{where}: the {section} state")
        load(state)
    except CheckpointError:
        raise
    except Exception as e:
        # Line by line: the messages list keys on separate lines; the keys, which come from
        # the file, are escaped like any untrusted text.
        message = "\n".join(printable(line, limit=2000) for line in str(e).split("\n"))
        raise CheckpointError(
            f"{where}: the {section} does not match the checkpoint: {message}"
        ) from None
