"""Untrusted text made safe to print: control and formatting characters escaped.

A checkpoint or a plugin may carry any string. Printed raw, an escape sequence can clear the
terminal or forge output ("checksums verified OK"), and a bidirectional override can reorder
what the reader sees. Every such string goes through `printable` before it reaches a terminal,
a log or an error message.
"""

from __future__ import annotations

from typing import Any


def printable(text: Any, limit: int | None = None) -> str:
    """``str(text)`` with every non-printable character (C0/C1 controls, DEL, bidirectional
    and other format characters, line and paragraph separators) written as a Python escape;
    with ``limit``, cut to that many characters and marked with ``...``.

        >>> printable("ok\\x1b[2J\\u202edone")
        'ok\\\\x1b[2J\\\\u202edone'
        >>> printable("a" * 10, limit=6)
        'aaa...'
    """
    text = str(text)
    if not text.isprintable():
        text = "".join(c if c.isprintable() else _escape(c) for c in text)
    if limit is not None and len(text) > limit:
        text = text[: max(0, limit - 3)] + "..."
    return text


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
