"""The record every entry of the fault catalogue is (:data:`simulator.faults.KINDS`).

A kind says what real event it stands for, what real Solaris shows afterwards, which illumos
sources say so, what its TARGET names, its parameters, and how it acts on the model
(``apply``, and ``clear`` to undo it when it was transient or is cleared as ``zinject -c``
clears a handler). The catalogue's documentation is generated from these fields, so they are
written as documentation: ``event`` and ``shows`` are sentences.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.faults.spec import Fault
    from simulator.host import Host

# what TARGET names, per kind
TARGET_KINDS = ("component", "disk", "submirror", "mirror", "filesystem", "database", "device",
                "tape",
                "command", "host")
# long operations that report their progress (simulator.core.faulthooks.FaultHooks.progress)
WHERES = ("ufsdump", "resync", "fsck", "dd")


@dataclass(frozen=True)
class Param:
    """One parameter of a kind: ``KEY=VALUE`` in the one-line syntax, a key of ``[[fault]]``."""

    name: str
    type: type          # str, int, float or bool
    default: object
    doc: str
    choices: tuple[str, ...] = ()    # the values a str parameter may take (empty: any)
    minimum: float | None = None     # the least value of a number


def _no_targets(host: Host) -> list[str]:
    return []


@dataclass(frozen=True)
class FaultKind:
    """One kind of fault (see the module docstring and faults-design "FaultKind")."""

    name: str
    summary: str
    event: str
    shows: str
    sources: tuple[str, ...]
    target: str
    apply: Callable[[Host, Fault], str]
    clear: Callable[[Host, Fault], None] | None = None
    params: tuple[Param, ...] = ()
    transient_ok: bool = True
    where: tuple[str, ...] = ()
    targets: Callable[[Host], list[str]] = field(default=_no_targets)
    needs_target: bool = True      # False: TARGET may be omitted (the host, the next command)
    downs_host: bool = False       # it takes the host down: it needs a trigger, never @start

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)
