"""What the registry keeps for each registration: an `Entry` (kind, canonical name, object,
aliases) and its `Provider` (who registered it), under the key `normalize` makes of a name."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Provider:
    """Who registered an entry: the built-in catalog, a user module, or a distribution."""

    kind: str  # "builtin" | "module" | "distribution"
    name: str
    version: str = ""

    def __str__(self) -> str:
        if self.kind == "builtin":
            return f"built-in ({self.name})"
        if self.kind == "distribution":
            return f"the distribution {self.name} {self.version}".rstrip()
        return f"the module {self.name}"


@dataclass
class Entry:
    """One registration: its kind, canonical name, object, provider and aliases."""

    kind: str
    name: str
    obj: object
    provider: Provider
    aliases: tuple = field(default_factory=tuple)


def normalize(name: str) -> str:
    """The lookup key of a name: lower case without ``_`` and ``-`` (``"Leaky_ReLU"`` ->
    ``"leakyrelu"``)."""
    return name.lower().replace("_", "").replace("-", "")
