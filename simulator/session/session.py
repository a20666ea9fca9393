"""One session: dispatch a fake command on a host, record it, mirror the host's files.

Both ways of running a driver are thin fronts over a :class:`Session` (as moto's decorator
and server modes are over one backend): the process harness (``simulator.harness.runner``,
a call arrives from a shim over a unix socket) and the in-process routing of ``subprocess``
(``simulator.inprocess``, used by the pytest plugin). The session runs the call on the
host, records it in the one :class:`~simulator.session.transcript.Transcript` with the
state changes it made (summaries before and after), keeps the driver's view of the host's
files current (:class:`~simulator.session.hostfiles.FileMirror`), lets virtual time pass
for a driver's ``sleep``, remembers when the host hung, and gives the verdict.

When an injected fault takes the host down (:class:`~simulator.core.errors.HostPanic` out of
a call or of virtual time passing), the session records it (``panicked``, a
:class:`~simulator.session.transcript.Panic` in the transcript), lets the host go down and
boot (:meth:`simulator.host.Host.crash`) and raises the HostPanic again: the front then kills
the driver and every process of the run, as the real host's death does. What the armed
faults did is copied into the transcript (``Transcript.faults``) after every call.
"""

from __future__ import annotations

import io
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, cast

from simulator.core.errors import HostHung, HostPanic
from simulator.core.files import FileAccess
from simulator.host import CommandResult
from simulator.session.checks import Check, Expectations, Run, archive_of, run_checks
from simulator.session.transcript import Call, Panic, Sleep, Transcript, summarize

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

    from simulator.faults.plan import FaultPlan
    from simulator.host import Host
    from simulator.session.hostfiles import FileMirror
    from simulator.session.outcomes import Judgement


class _Recorded(io.RawIOBase):
    """A command's standard input, read lazily, keeping what was read for the transcript."""

    def __init__(self, raw: io.RawIOBase) -> None:
        super().__init__()
        self.raw = raw
        self.seen = bytearray()

    def readable(self) -> bool:
        return True

    def readinto(self, b: WriteableBuffer) -> int:
        n = self.raw.readinto(b) or 0
        self.seen += memoryview(b).cast("B")[:n]
        return n


class Session:
    """A host, the transcript of what a driver did to it, and the driver's view of its files.

    ``dispatch`` and ``sleep`` are serialized under ``lock`` (a re-entrant lock the process
    harness releases while a call blocks on a pipe).
    """

    def __init__(self, host: Host, mirror: FileMirror | None = None) -> None:
        self.host = host
        self.mirror = mirror
        self.transcript = Transcript()
        self.transcript.begin(summarize(host), host.clock.now)   # the starting state
        # the summary after the last call and the virtual time it was taken at: the next
        # call's "before" when the clock has not moved since (nothing else changes the host
        # between calls: time passing, a sleep or a timed fault, moves the clock)
        self._summary = (host.clock.now, self.transcript.initial)
        self.lock = threading.RLock()
        self.hung: str | None = host.hung_reason or None
        self.panicked: str | None = None      # the panic string (or "reboot") when it went down

    def dispatch(self, argv: list[str], *, stdin: bytes = b"",
                 stdin_file: io.RawIOBase | None = None, uid: int | None = None,
                 env: dict[str, str] | None = None, cwd: str = "/",
                 files: FileAccess | None = None, interactive: bool = False,
                 live: Callable[[int, bytes], None] | None = None) -> Call:
        """Run one fake command and record it.

        ``stdin`` is the whole input, or ``stdin_file`` a raw stream the command reads
        lazily (what it read is recorded); ``live`` sees the output as it is written (a
        terminal front). Raises :class:`~simulator.core.errors.HostHung`
        when the host was hung before the call; a call that hangs it returns, and ``hung``
        says why from then on.
        """
        with self.lock:
            if self.mirror is not None:
                self.mirror.pull()
            start = self.host.clock.now
            before = self._summary[1] if self._summary[0] == start and \
                self._summary[1] is not None else summarize(self.host)
            recorded = _Recorded(stdin_file) if stdin_file is not None else None
            try:
                result = self.host.run(
                    argv, stdin=stdin, uid=uid, env=env, cwd=cwd, files=files,
                    interactive=interactive, live=live,
                    stdin_file=io.BufferedReader(recorded) if recorded is not None else None)
            except HostHung as e:
                self.hung = str(e)
                raise
            except HostPanic as e:
                if isinstance(e.result, CommandResult):   # recorded as far as it got
                    call = Call(len(self.transcript.calls) + 1, list(argv), e.result, start,
                                self.host.clock.now,
                                bytes(recorded.seen) if recorded else stdin, cwd=cwd)
                    self.transcript.record(call, before, summarize(self.host))
                self._went_down(e)
                raise
            call = Call(len(self.transcript.calls) + 1, list(argv), result, start,
                        self.host.clock.now, bytes(recorded.seen) if recorded else stdin,
                        cwd=cwd)
            if call.name in ("ufsdump", "dd"):     # the archive or raw image as left
                call.archive = archive_of(call, files or FileAccess())
            after = summarize(self.host)
            self.transcript.record(call, before, after)
            self._summary = (self.host.clock.now, after)
            self._faults_fired()
            if self.mirror is not None:
                self.mirror.push()
            if self.host.hung_reason:
                self.hung = self.host.hung_reason
            return call

    def sleep(self, seconds: float) -> None:
        """A driver's ``sleep``: recorded, then virtual time passes (see ``advance``)."""
        with self.lock:
            if seconds <= 0:
                return
            self.transcript.sleeps.append(Sleep(self.host.clock.now, seconds))
            self.advance(seconds)

    def advance(self, seconds: float) -> None:
        """Let virtual time pass (resyncs progress, the workload writes); files follow."""
        with self.lock:
            try:
                self.host.advance(seconds)
            except HostPanic as e:
                self._went_down(e)
                raise
            self.transcript.observe(summarize(self.host), self.host.clock.now)
            self._faults_fired()
            if self.mirror is not None:
                self.mirror.push()

    def _faults_fired(self) -> None:
        # Only an armed plan logs faults, and arming it imported its module: without the
        # module loaded there is none, and a run without faults need not import it.
        plan = sys.modules.get("simulator.faults.plan")
        if plan is not None and isinstance(self.host.faults, plan.FaultPlan):
            armed = cast("FaultPlan", self.host.faults)
            self.transcript.faults = [e.to_dict() for e in armed.log]

    def go_down(self, down: HostPanic) -> None:
        """Someone took the host down from outside any command: the lab's ``reboot`` (a
        clean ``init 6``, or the operator's break and ``sync`` on a hung console).
        Recorded as a fault's panic is; the host boots."""
        with self.lock:
            self._went_down(down)

    def _went_down(self, down: HostPanic) -> None:
        """The host panicked or rebooted: record it, let it go down and boot."""
        self.panicked = str(down)
        self.transcript.panics.append(Panic(self.host.clock.now, str(down),
                                            len(self.transcript.calls), down.clean))
        self.host.crash(down)
        self._faults_fired()
        self.transcript.observe(summarize(self.host), self.host.clock.now)
        if self.mirror is not None:
            self.mirror.push()

    def verdict(self, driver_exit: int | None, expect: Expectations,
                resolve: Callable[[str, str], Path] | None = None) -> list[Check]:
        """Every registered check over the transcript and the final host."""
        with self.lock:
            return run_checks(self.host, self.transcript, driver_exit, self.hung, expect,
                              resolve=resolve)

    # what judge() imports the first time (itself, and checks.backup_outcome): a harness may
    # import them ahead, while the driver runs (simulator.harness.runner.Warmup)
    JUDGE_IMPORTS = ("simulator.session.outcomes", "simulator.backup.verify")

    def judge(self, driver_exit: int | None, expect: Expectations,
              resolve: Callable[[str, str], Path] | None = None, *,
              timed_out: str | None = None,
              expected: tuple[str, ...] | None = None) -> Judgement:
        """The run's outcome (judged against the host as the session found it) and every
        check under it; ``expected`` overrides the acceptable outcomes of ``expect``.
        Both fronts' verdicts come from here."""
        from simulator.session.outcomes import judge
        if expected:   # as if the scenario had said outcome = expected (and no more)
            expect = Expectations.from_dict({**expect.to_dict(), "outcome": list(expected)})
        with self.lock:
            run = Run(self.host, self.transcript, driver_exit, self.hung, expect, resolve,
                      timed_out=timed_out)
            return judge(run, expected)

