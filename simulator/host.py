"""The simulated Solaris host: disks, clock, volume manager, and the door to its commands.

``Host`` is what tests, the CLI and the harness hold. It owns the state (and its JSON form)
and advances virtual time; the fake commands in :mod:`simulator.core.registry` read and change it.
"""

from __future__ import annotations

import importlib
import re
import shlex
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from simulator.backup.backups import Backups
from simulator.core.clock import StepWindow, VirtualClock
from simulator.core.devices import Disk, Slice, default_slices
from simulator.core.errors import CommandExit, HostHung, HostPanic, UsageError
from simulator.core.faulthooks import FaultHooks
from simulator.core.files import LOCAL_FILES, FileAccess
from simulator.core.invocation import Invocation
from simulator.core.names import split_slice
from simulator.core.registry import program_named
from simulator.lvm.errors import MDError
from simulator.lvm.libmeta.release import DEFAULT_RELEASE
from simulator.lvm.md.manager import VolumeManager
from simulator.lvm.md.records import HotSparePool, Mirror, Stripe, Unit
from simulator.sunos.release import check_release
from simulator.sunos.state import SunosState, SyslogLine
from simulator.sunos.syslog import SHUTDOWN_LINE, panic_lines, savecore_line
from simulator.ufs.databases import Databases
from simulator.ufs.filesystems import FileSystems

__all__ = ["CommandResult", "Host", "HostHung"]

STATE_VERSION = 1
DEFAULT_DISK_BLOCKS = 143349312    # a 73 GB disk
COMMAND_COST = 0.05                # virtual seconds a fake command takes
INTERNAL_ERROR_EXIT = 70           # EX_SOFTWARE: an svmsim bug, reported in one line
KILLED_EXIT = 128 + 9              # a command the host died under: what a shell sees (SIGKILL)
DOWNTIME = 120.0                   # virtual seconds from a panic or reboot to the booted host
                                   # (decided: crash dump, reset, boot to multi-user)


# What makes shlex.split differ from str.split: a quote, a backslash, or whitespace other
# than shlex's own (space, tab, CR, LF), which str.split would split at.
_NOT_PLAIN = re.compile(r"['\"\\]|[^\S \t\r\n]")


def split_command(line: str) -> list[str]:
    """``shlex.split(line)`` (POSIX rules, no comments); a line without quotes, backslashes
    or other whitespace -- most of them -- by ``str.split``, the words between the
    whitespace, without shlex's character-by-character reader (~15 us a line)."""
    if _NOT_PLAIN.search(line) is None:
        return line.split()
    return shlex.split(line)


@dataclass
class CommandResult:
    """What a command printed and returned, as a real process would."""

    stdout: str
    stderr: str
    exit_code: int
    stdout_bytes: bytes = b""
    # (1 or 2, bytes) in the order the command wrote them
    chunks: list[tuple[int, bytes]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


def first_open(checks: Sequence[Callable[[str], str | None]], name: str) -> str | None:
    """Where metadevice ``name`` is open (mounted, swapped on, in use by an application), by
    the first of the parts' open checks that knows; None when none does."""
    for check in checks:
        where = check(name)
        if where is not None:
            return where
    return None


class Host:
    """A simulated Solaris host with Solaris Volume Manager."""

    def __init__(self, hostname: str = "sunhost", clock: VirtualClock | None = None,
                 release: str = DEFAULT_RELEASE) -> None:
        self.hostname = hostname
        # "5.9", "5.10", "5.11" or "illumos" (simulator.sunos.release): uname, /etc/release,
        # DiskSuite paths and the release-dependent behaviours of the programs follow it
        self.release: str = check_release(release)
        self.clock = clock or VirtualClock()
        self.disks: dict[str, Disk] = {}
        self.hung_reason: str | None = None
        # a command the front runs after the host boots from a panic or reboot (a
        # scenario's [host] boot_script, as an rc script would); empty: none
        self.boot_script = ""
        # Parts hook in here as they are built: (advance, is_open).
        self._advance_hooks: list[Callable[[float], None]] = []
        self._open_checks: list[Callable[[str], str | None]] = []
        self._merge_checks: list[Callable[[], StepWindow | None] | None] = []
        self.uid = 0
        self.internal_errors: list[str] = []   # tracebacks of fake-command bugs
        # the volume manager reads the clock and asks the parts' open checks, not the host:
        # a reference back to the host would make it a reference cycle (core/hostref.py)
        clock, checks = self.clock, self._open_checks
        self.md = VolumeManager(self.disks, lambda: clock.now,
                                lambda name: first_open(checks, name))
        # where injected faults fire (simulator.core.faulthooks); simulator.faults arms a plan
        self.faults = FaultHooks()
        self.on_advance(self.md.resync.tick, self.md.resync.merge_window)
        self.fs = FileSystems(self)
        self.databases = Databases(self)
        self.backups = Backups(self)
        self.sunos = SunosState()

    @property
    def faults(self) -> FaultHooks:
        """The fault hooks the model and the programs call (a no-op FaultHooks until
        :func:`simulator.faults.arm` arms a plan); the volume manager shares them."""
        return self._faults

    @faults.setter
    def faults(self, hooks: FaultHooks) -> None:
        self._faults = hooks
        self.md.faults = hooks

    # ------------------------------------------------------------------ construction
    def add_disk(self, name: str, size: int = DEFAULT_DISK_BLOCKS,
                 slices: dict[int, int] | None = None, *, devid: str | None = "",
                 geometry: tuple[int, int] | None = None) -> Disk:
        """Add disk ``cXtYdZ``; ``slices`` maps slice number to size (default layout else).

        ``devid``: its device ID (``""``: the default drive's, None: none); ``geometry``:
        (heads, sectors per track), the SUN72G 24 x 424 when None (``Disk``)."""
        if slices:
            layout, start = {}, 0
            for num, sz in sorted(slices.items()):
                layout[num] = Slice(num, sz, 0 if num == 2 else start)
                if num != 2:
                    start += sz
            if 2 not in layout:
                layout[2] = Slice(2, size, 0)
        else:
            layout = default_slices(size)
        disk = Disk(name, size, layout, devid=devid)
        if geometry is not None:
            disk.nhead, disk.nsect = geometry
        self.disks[name] = disk
        return disk

    def ensure_slice(self, comp: str, size: int = DEFAULT_DISK_BLOCKS // 2) -> None:
        """Make sure slice ``comp`` exists (builders use this to stay short)."""
        parsed = split_slice(comp)
        if parsed is None:
            raise ValueError(f"{comp}: not a slice name")
        disk = self.disks.get(parsed[0])
        if disk is None:
            disk = self.add_disk(parsed[0], max(DEFAULT_DISK_BLOCKS, size * 2))
        if parsed[1] not in disk.slices:
            disk.slices[parsed[1]] = Slice(parsed[1], size)

    def add_replicas(self, *slices: str, count: int = 1) -> None:
        for sl in slices:
            self.ensure_slice(sl, 65536)
        self.md.add_replicas(self.md.sets[""], list(slices), count=count, force=True)

    def add_stripe(self, name: str, *components: str | Sequence[str],
                   interlace: int | None = None, hsp: str | None = None) -> Stripe:
        """Builder: ``add_stripe("d2", "c1t0d0s0")`` (concat: several args; a stripe: a list)."""
        self._ensure_db()
        rows: list[tuple[list[str], int | None]] = []
        for comp in components:
            comps = [comp] if isinstance(comp, str) else list(comp)
            for c in comps:
                if split_slice(c):
                    self.ensure_slice(c)
            rows.append((comps, interlace))
        return self.md.create_stripe(self.md.sets[""], name, rows, hsp=hsp)

    def add_mirror(self, name: str, submirrors: Sequence[str], pass_num: int = 1,
                   read_option: str = "roundrobin", write_option: str = "parallel") -> Mirror:
        """Builder: a mirror of the given submirrors, all Okay (creating one-slice concats
        on fresh disks for submirrors that do not exist yet)."""
        self._ensure_db()
        s = self.md.sets[""]
        for i, sub in enumerate(submirrors):
            if sub not in s.units:
                disk = self._free_disk_name(i)
                self.add_stripe(sub, f"{disk}s0")
        return self.md.create_mirror(s, name, list(submirrors), read_option, write_option,
                                     pass_num)

    def add_hsp(self, name: str, *slices: str) -> HotSparePool:
        """Builder: hot spare pool ``name`` (``hsp001``) of the given slices."""
        self._ensure_db()
        for sl in slices:
            self.ensure_slice(sl)
        return self.md.create_hsp(self.md.sets[""], name, list(slices))

    # ------------------------------------------------------------------ queries
    def unit(self, name: str) -> Unit:
        """The metadevice ``name`` (``d1``, or ``set/d1`` for a named set)."""
        setname, _, short = name.rpartition("/")
        return self.md.unit(self.md.get_set(setname or None), short)

    def mirrors(self) -> list[str]:
        """The local set's mirrors, by name."""
        return sorted((n for n, u in self.md.sets[""].units.items() if isinstance(u, Mirror)),
                      key=lambda n: int(n[1:]))

    def submirrors(self, mirror: str) -> list[str]:
        """The submirrors attached to ``mirror`` now, in slot order."""
        unit = self.unit(mirror)
        if not isinstance(unit, Mirror):
            raise ValueError(f"{mirror}: not a mirror")
        return [slot.name for slot in unit.submirrors]

    def _free_disk_name(self, hint: int) -> str:
        n = 0
        while True:
            name = f"c{1 + (hint % 2)}t{n}d0"
            if name not in self.disks:
                return name
            n += 1

    def _ensure_db(self) -> None:
        if not self.md.sets[""].replicas:
            self.add_replicas("c0t0d0s7", count=3)

    # ------------------------------------------------------------------ time
    def advance(self, seconds: float) -> None:
        """Let ``seconds`` of virtual time pass: resyncs progress, workloads write."""
        if seconds <= 0:
            return
        # none of these is replaced while time passes (a fault plan is armed from outside,
        # simulator.faults.arm; the parts hook in when they are built)
        md, faults, clock, hooks = self.md, self.faults, self.clock, self._advance_hooks
        idle = faults.idle      # no fault armed: nothing is due, nothing watches a resync
        # counted as time left rather than an end time: a clock jump (a fault) moves the
        # time of day, not how long the disks work
        left = seconds
        while left > 0:
            dt = left
            nxt = md.next_completion()
            if nxt is not None and nxt < dt:
                dt = max(nxt, 1e-6)
            # injected faults: time splits where one is due, and at each 10 % of a resync
            # when a fault waits for one (simulator.core.faulthooks)
            due = None if idle else faults.next_due(clock.now)
            if due is not None and due < dt:
                dt = max(due, 1e-6)
            watch = not idle and faults.watches("resync")
            if watch:
                mark = md.next_resync_tenth()
                if mark is not None and mark < dt:
                    dt = max(mark, 1e-6)
                before = md.resync_progress()
            for hook in hooks:
                hook(dt)
            md.advance(dt)
            clock.now += dt
            left -= dt
            if watch:
                self._resync_marks(before)
            if due is not None:
                faults.at_time(clock.now)

    def _resync_marks(self, before: dict[str, tuple[int, float]]) -> None:
        """Tell the fault hooks about each resync that crossed a 10 % mark (a finished job
        crossed 100 %)."""
        after = self.md.resync_progress()
        for name, (job, frac) in before.items():
            now_job, now_frac = after.get(name, (None, 1.0))
            if now_job != job:
                now_frac = 1.0
            if int(now_frac * 10 + 1e-9) > int(frac * 10 + 1e-9):
                self.faults.progress("resync", int(now_frac * 10 + 1e-9) / 10, target=name)

    def on_advance(self, hook: Callable[[float], None],
                   merge: Callable[[], StepWindow | None] | None = None) -> None:
        """``hook`` runs at every step of virtual time; ``merge`` says where the part lets
        consecutive steps be taken as one (:meth:`merge_window`; None: never)."""
        self._advance_hooks.append(hook)
        self._merge_checks.append(merge)

    def merge_window(self) -> StepWindow | None:
        """Where a long operation that lets time pass in many steps (ufsdump writing) may
        take consecutive steps as one: (the clock the first merged step must reach at least,
        the clock every merged step must stay below); None when it may not. Within it nothing
        that runs in a step can tell one step from many:

        * no fault waits for a time (``faults.next_due``): nothing splits the time or fires;
        * no resync runs (``md.next_completion``);
        * every part's hook says so (:meth:`on_advance`'s ``merge``: the resync daemon
          starts nothing, databases count no active time, held workloads owe one stretch
          whatever its steps and fsflush's writes stay in their own images);
        * the clock stays below twice what it is now, so each step's length is an exact
          difference of clock values (Sterbenz's lemma) and the clock comes out the same to
          the last bit taken in one step or in ten (a part bounds the sums it keeps the same
          way).

        The caller still asks its own hooks (a fault watching its progress) itself."""
        now = self.clock.now
        faults = self.faults
        if now <= 0 or (not faults.idle and faults.next_due(now) is not None) \
                or self.md.next_completion() is not None:
            return None
        lo, hi = now, 2 * now
        for merge in self._merge_checks:
            window = merge() if merge is not None else None
            if window is None:
                return None
            lo, hi = max(lo, window[0]), min(hi, window[1])
        return (lo, hi) if lo < hi else None

    def add_open_check(self, check: Callable[[str], str | None]) -> None:
        self._open_checks.append(check)

    def hang(self, reason: str) -> None:
        self.hung_reason = reason

    def reboot(self, metasync: bool = True) -> None:
        """Power-cycle: a hang ends, resyncs fall back to their checkpoint and (with
        ``metasync``, as svc-metasync does at boot) restart in pass order, locks drop,
        unflushed writes are lost and vfstab's file systems are mounted again; a detached
        submirror stays detached (the replicas hold the configuration, and every change
        was committed to them when it was made). After a panic the messages file gets the
        panic and savecore's line (:mod:`simulator.sunos.syslog`)."""
        self.hung_reason = None
        self.md.reboot(metasync=metasync)
        self.fs.reboot()
        self.databases.reboot()
        self.sunos.boots += 1
        if self.sunos.pending_panic is not None:
            now = self.clock.now
            for text in panic_lines(self.sunos.pending_panic):
                self.sunos.syslog.append(SyslogLine(now, text))
            self.sunos.syslog.append(SyslogLine(now, savecore_line(self.sunos.pending_panic)))
            self.sunos.pending_panic = None

    def crash(self, down: HostPanic) -> None:
        """The host went down (:class:`HostPanic`, raised out of a fault hook or the md
        driver): a panic leaves its string for savecore, a clean reboot (``init 6``) logs
        syslogd stopping; the host is down for :data:`DOWNTIME` virtual seconds (nothing
        runs: no resync, no workload) and boots (:meth:`reboot`)."""
        if down.clean:
            self.sunos.syslog.append(SyslogLine(self.clock.now, SHUTDOWN_LINE))
        else:
            self.sunos.pending_panic = str(down)
        self.clock.now += DOWNTIME
        self.reboot()

    # ------------------------------------------------------------------ commands
    def run(self, command: str | Sequence[str], stdin: bytes | str = b"",
            uid: int | None = None, env: dict[str, str] | None = None,
            cwd: str = "/", files: FileAccess | None = None, interactive: bool = False,
            stdin_file: BinaryIO | None = None,
            live: Callable[[int, bytes], None] | None = None) -> CommandResult:
        """Run one fake command line (``"metastat d1"``) and return what it printed.

        The program is picked by the basename of ``argv[0]`` (``/usr/sbin/metastat`` and
        ``/usr/opt/SUNWmd/sbin/metastat`` are the same program). ``files`` is the FileAccess
        real files go through (default: this machine, from ``cwd``); ``interactive`` says stdin
        is a terminal (prompts may be answered); ``stdin_file`` is read lazily instead of
        ``stdin``; ``live`` sees every write as it happens (a terminal). A little virtual time
        passes. No Python traceback ever gets out: an internal failure is reported in one line,
        exit 70, and kept in ``internal_errors``.
        """
        argv = split_command(command) if isinstance(command, str) else list(command)
        if isinstance(stdin, str):
            stdin = stdin.encode()
        if not argv:
            return CommandResult("", "", 0)
        if self.hung_reason:
            raise HostHung(self.hung_reason)
        faults = self.faults
        if not faults.idle:
            faults.before_call(argv)        # may panic the host: HostPanic goes out
            if self.hung_reason:
                raise HostHung(self.hung_reason)
        inv = Invocation(self, argv, stdin, self.uid if uid is None else uid,
                         dict(env) if env else {}, cwd, interactive, files or LOCAL_FILES,
                         stdin_file, live)
        program = program_named(argv[0])
        module: Any = None
        if program is None:
            inv.err(f"{inv.prog}: not found")
            code = 127
        else:
            try:
                # a loaded program is taken from sys.modules (importlib's own path through
                # its import lock costs about as much as a small command's work)
                module = sys.modules.get(program.module) or importlib.import_module(
                    program.module)
                code = module.main(inv)
            except CommandExit as e:
                code = e.code
            except UsageError:
                code = module.usage(inv) if hasattr(module, "usage") else 1
            except MDError as e:
                code = inv.md_error(e)
            except HostHung:
                raise
            except HostPanic as e:  # the host went down inside the command: it got no further
                e.result = CommandResult(inv.stdout.text(), inv.stderr.text(), KILLED_EXIT,
                                         bytes(inv.stdout.buffer), list(inv.journal))
                raise
            except Exception as e:  # never a traceback to the driver: one line, recorded
                self.internal_errors.append(traceback.format_exc())
                inv.err(f"{inv.prog}: svmsim internal error: {type(e).__name__}: {e}")
                code = INTERNAL_ERROR_EXIT
        self.advance(COMMAND_COST)
        result = CommandResult(inv.stdout.text(), inv.stderr.text(), code,
                               bytes(inv.stdout.buffer), inv.journal)
        faults = self.faults        # (a command may have armed a plan)
        if not faults.idle:
            try:
                faults.after_call(argv, code)
            except HostPanic as e:  # the command finished; the host went down right after
                e.result = result
                raise
        return result

    # ------------------------------------------------------------------ persistence
    def to_dict(self) -> dict[str, Any]:
        return {"version": STATE_VERSION, "hostname": self.hostname, "release": self.release,
                "clock": {"now": self.clock.now, "timezone": self.clock.timezone},
                "disks": [d.to_dict() for d in self.disks.values()],
                "md": self.md.to_dict(), "hung": self.hung_reason,
                "metasync": self.md.resync.to_dict(), "fs": self.fs.to_dict(),
                "backups": self.backups.to_dict(), "sunos": self.sunos.to_dict(),
                **({"databases": self.databases.to_dict()} if self.databases.databases else {}),
                **({"boot_script": self.boot_script} if self.boot_script else {})}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Host:
        # states saved before the release was kept are of the default release (5.10)
        host = cls(hostname=d["hostname"],
                   clock=VirtualClock(float(d["clock"]["now"]), d["clock"].get("timezone", "UTC")),
                   release=d.get("release", DEFAULT_RELEASE))
        for dd in d.get("disks", []):
            disk = Disk.from_dict(dd)
            host.disks[disk.name] = disk
        host.md.load_dict(d["md"])
        host.hung_reason = d.get("hung")
        old = d.get("ext", {})    # states saved before the parts were typed
        host.md.resync.load_dict(d.get("metasync", old.get("metasync", {})))
        host.fs.load_dict(d.get("fs", old.get("fs", {})))
        host.backups.load_dict(d.get("backups", old.get("backup", {})))
        host.sunos.load_dict(d.get("sunos", {}))
        host.databases.load_dict(d.get("databases", {}))
        host.boot_script = str(d.get("boot_script", ""))
        return host
