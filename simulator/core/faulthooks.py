"""The points at which an injected fault can fire, as the model and the programs see them.

The model and the fake commands never import :mod:`simulator.faults` (it sits above the host in
the layering). They call these hooks on ``host.faults`` at the moments a real fault could strike:
around each command (``before_call``/``after_call``), inside long operations (``progress``: a
dump, a resync, an fsck at a fraction of its work), on I/O to a component (``io``), and at
virtual times (``next_due``/``at_time``, which ``Host.advance`` honours as it does resync
completions). This base class is the host with no fault armed: every hook does nothing.
:class:`simulator.faults.plan.FaultPlan` is the one subclass; it decides which armed fault fires
and applies it to the model, which then behaves as the real system does after that event. A
hook may raise :class:`simulator.core.errors.HostPanic` (the host went down): callers let it
propagate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar


class FaultHooks:
    """No fault armed: every hook is a no-op (see the module docstring)."""

    # whether every hook is a no-op: the callers that ask at every step of virtual time and
    # around every command (Host.advance, Host.run) skip asking when it is. True of this class
    # alone: a subclass acts (it overrides hooks) unless it says otherwise.
    idle: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "idle" not in cls.__dict__:
            cls.idle = False

    def before_call(self, argv: Sequence[str]) -> None:
        """A fake command is about to run with ``argv``."""

    def after_call(self, argv: Sequence[str], code: int) -> None:
        """A fake command with ``argv`` has exited with ``code``."""

    def progress(self, where: str, fraction: float, target: str = "") -> None:
        """A long operation ``where`` (``"ufsdump"``, ``"resync"``, ``"fsck"``) on ``target``
        has done ``fraction`` (0..1) of its work; it calls this at each checkpoint, in order,
        and looks at the model again afterwards (a fault may have changed it)."""

    def watches(self, where: str) -> bool:
        """Whether a fault waits for the progress of ``where``: a long operation may then
        report finer steps (the resync splits virtual time at each 10 %), and need not
        otherwise."""
        return False

    def io(self, component: str, op: str, count: int = 1) -> None:
        """``count`` I/Os (``op`` is ``"read"`` or ``"write"``) reached ``component``."""

    def next_due(self, now: float) -> float | None:
        """Virtual seconds from ``now`` until the next timed fault, None when none is armed."""
        return None

    def at_time(self, now: float) -> None:
        """Virtual time has reached ``now``: fire the timed faults that are due."""
