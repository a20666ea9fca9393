"""Run a site's backup driver, unmodified, against a simulated host, and judge the run.

One process holds the state: the scenario's host, a :class:`ShimServer` answering every
fake command the driver runs (by any path: ``/usr/sbin/metastat``, ``metastat`` on PATH,
``/usr/opt/SUNWmd/sbin/metastat``), and the :class:`Sandbox` that shows the driver a Solaris
file tree without touching the host. After each call the host's files (``/etc/vfstab``,
``/etc/mnttab``, ``/etc/lvm/md.tab``, ``/etc/dumpdates``, ``/dev/md/...``) are brought up to
date; virtual sleeps advance the host's clock (resyncs progress, the workload writes).
When the driver exits, :func:`run_checks` gives the verdict.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from simulator.core.files import FileAccess
from simulator.core.registry import PROGRAMS
from simulator.harness import protocol as P
from simulator.harness.sandbox import Sandbox
from simulator.harness.server import ShimCall, ShimServer
from simulator.session.checks import Check, Expectations, dump_destination, run_checks
from simulator.session.hostfiles import device_nodes, etc_files
from simulator.session.transcript import Call, Sleep, Transcript, summarize
from simulator.session.verdict import RunResult

if TYPE_CHECKING:
    from simulator.host import Host
    from simulator.scenario import Scenario

# Solaris userland names Linux lacks, as links to the nearest real program.
ALIASES = {"/usr/bin/nawk": "/usr/bin/awk", "/usr/xpg4/bin/sh": "/bin/sh",
           "/usr/xpg4/bin/awk": "/usr/bin/awk", "/usr/xpg4/bin/grep": "/bin/grep",
           "/usr/xpg4/bin/sed": "/bin/sed", "/usr/xpg4/bin/tail": "/usr/bin/tail",
           "/usr/xpg4/bin/id": "/usr/bin/id"}
# ``uname``/``hostname`` answer as the simulated Solaris 10 host, not the Linux box under it:
# real scripts gate on them, e.g. quickservchk.sh (``[ "`uname -s`" != SunOS ] && exit 1``,
# ``uname -X | grep KernelID``) and a Perl mirror check (``$os !~ /sunos/i``), and name their
# logs after ``uname -n``/``hostname``. Values: a Solaris 10 1/13 SPARC host (illumos
# usr/src/cmd/uname/uname.c gives the option order and the -X block).
IDENTITY_PATHS = {"uname": ["/usr/bin/uname", "/bin/uname", "/sbin/uname"],
                  "hostname": ["/usr/bin/hostname", "/bin/hostname"]}
UNAME = {"s": "SunOS", "r": "5.10", "v": "Generic_150400-59", "m": "sun4u", "p": "sparc",
         "i": "SUNW,Sun-Fire-V240"}
MAX_VIRTUAL_SECONDS = 30 * 86400.0     # a driver polling forever stops after 30 virtual days


def command_paths(with_time: bool) -> dict[str, list[str]]:
    """Every fake command and the absolute paths where a script may call it."""
    out = {name: list(program.paths) for name, program in PROGRAMS.items()}
    out["logger"] = ["/usr/bin/logger"]
    out.update(IDENTITY_PATHS)
    if with_time:   # no LD_PRELOAD: sleep and date must be shims to be virtual
        out["sleep"] = ["/usr/bin/sleep", "/bin/sleep"]
        out["date"] = ["/usr/bin/date", "/bin/date"]
    return out


class SandboxFiles(FileAccess):
    """Real files as the driver sees them: paths are mapped into the sandbox."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def resolve(self, path: str, cwd: str) -> Path:
        return self.sandbox.host_path(path, cwd)

    def open_write(self, path: str, cwd: str) -> BinaryIO:
        """Files the fake commands write belong to the driver (root inside the sandbox, the
        unprivileged uid outside), so that the driver can remove or overwrite them."""
        f = super().open_write(path, cwd)
        if os.geteuid() == 0 and self.sandbox.uid != 0:
            with contextlib.suppress(OSError):
                os.fchown(f.fileno(), self.sandbox.uid, self.sandbox.gid)
        return f


class _Stdin(io.RawIOBase):
    """The caller's stdin, read without holding the model lock (a pipe may need another
    fake command, or a virtual sleep, to make progress)."""

    def __init__(self, fd: int, call: ShimCall, lock: threading.RLock) -> None:
        self.fd, self.call, self.lock = fd, call, lock
        self.seen = bytearray()

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        with self.call.unlocked(), _released(self.lock):
            data = os.read(self.fd, len(b))
        b[:len(data)] = data
        self.seen += data
        return len(data)


@contextlib.contextmanager
def _released(lock: threading.RLock) -> Iterator[None]:
    lock.release()
    try:
        yield
    finally:
        lock.acquire()


@contextlib.contextmanager
def _sigpipe_ignored() -> Iterator[None]:
    """The server writes into the driver's pipes and sockets; a reader that went away
    (``metastat | true``, a driver killed when the host hung) must give EPIPE, not kill the
    harness: the ``svmsim`` CLI sets SIGPIPE to SIG_DFL for ``svmsim exec | head``."""
    if threading.current_thread() is not threading.main_thread():
        yield   # only the main thread may set handlers; Python ignores SIGPIPE by default
        return
    old = signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGPIPE, old)


@contextlib.contextmanager
def _removed_after(path: Path, own: bool) -> Iterator[None]:
    """Remove the run's own temporary workdir (the sandbox removes only its files in it)."""
    try:
        yield
    finally:
        if own:
            shutil.rmtree(path, ignore_errors=True)


class HarnessRun:
    """One driver run on a fresh host from a scenario."""

    def __init__(self, scenario: Scenario, command: Sequence[str], *,
                 method: str | None = None, client: str | None = None,
                 timeout: float = 600.0, workdir: str | Path | None = None,
                 max_virtual: float = MAX_VIRTUAL_SECONDS) -> None:
        self.scenario = scenario
        self.command = list(command)
        self.method = method
        self.client = client
        self.timeout = timeout
        self.workdir = workdir
        self.max_virtual = max_virtual
        self.host: Host = scenario.build_host()
        self.expect = Expectations.from_dict(getattr(scenario, "expect", None))
        self.transcript = Transcript()
        self.lock = threading.RLock()
        self.hung: str | None = None
        self.stopped: str | None = None
        self.logged: list[str] = []
        self._files: dict[str, str] = {}
        self._nodes: set[str] = set()
        self.sandbox: Sandbox | None = None

    # ------------------------------------------------------------------ serving calls
    def dispatch(self, call: ShimCall) -> int:
        name = call.name
        if name == "logger":
            return self._logger(call)
        if name in ("sleep", "date"):
            return self._time_command(call)
        if name in IDENTITY_PATHS:
            return self._identity(call)
        assert self.sandbox is not None
        with self.lock:
            if self.hung or self.stopped:
                return 128 + signal.SIGKILL
            self._pull_files()
            before = summarize(self.host)
            start = self.host.clock.now
            reader = _Stdin(call.stdin, call, self.lock)
            stdin_file = io.BufferedReader(reader)
            try:
                result = self.host.run(call.argv, uid=call.uid, env=call.env, cwd=call.cwd,
                                       interactive=os.isatty(call.stdin),
                                       files=SandboxFiles(self.sandbox), stdin_file=stdin_file)
            except Exception as e:   # HostHung: the host was hung before this call
                self._hang(str(e))
                return 128 + signal.SIGKILL
            entry = Call(len(self.transcript.calls) + 1, list(call.argv), result.exit_code,
                         start, self.host.clock.now, bytes(reader.seen), result.stdout_bytes,
                         result.stderr.encode(), cwd=call.cwd)
            if entry.name == "ufsdump":
                entry.archive = self._dump_file(entry)
            self.transcript.record(entry, before, summarize(self.host))
            self._push_files()
            if self.host.hung_reason:
                self.hung = self.host.hung_reason
        code = self._write(call, result.chunks, result.exit_code)
        if self.hung:
            # everything on the host now blocks: the driver can never finish
            self._hang(self.hung)
        return code

    def _dump_file(self, entry: Call) -> bytes | None:
        """Keep the archive a ufsdump wrote to a file (small: metadata and digests)."""
        dest = dump_destination(entry)
        if not dest or dest == "-" or dest.startswith("/dev/") or self.sandbox is None:
            return None
        try:
            return SandboxFiles(self.sandbox).resolve(dest, entry.cwd).read_bytes()
        except OSError:
            return None

    def _write(self, call: ShimCall, chunks: list[tuple[int, bytes]], code: int) -> int:
        """Hand the output to the caller's descriptors in the order it was written."""
        fds = {1: call.stdout, 2: call.stderr}
        try:
            with call.unlocked():
                for which, data in chunks:
                    fd = fds[which]
                    view = memoryview(data)
                    while view:
                        n = os.write(fd, view)
                        view = view[n:]
        except BrokenPipeError:
            return P.SIGNAL_BASE + signal.SIGPIPE
        except OSError:
            return code
        return code

    def _hang(self, reason: str) -> None:
        self.hung = reason
        if self.sandbox is not None:
            self.sandbox.kill()

    def on_sleep(self, seconds: float) -> None:
        with self.lock:
            if seconds <= 0:
                return
            self.transcript.sleeps.append(Sleep(self.host.clock.now, seconds))
            self.host.advance(seconds)
            self.transcript.observe(summarize(self.host), self.host.clock.now)
            self._push_files()
            if self.host.clock.now - self.started > self.max_virtual and not self.stopped:
                self.stopped = (f"virtual time limit: the driver ran for more than "
                                f"{self.max_virtual / 86400:.0f} virtual days")
                if self.sandbox is not None:
                    self.sandbox.kill()

    def now(self) -> float:
        return self.host.clock.now

    def _logger(self, call: ShimCall) -> int:
        """``logger``: recorded in the report, never sent to syslog."""
        args, tag = call.argv[1:], ""
        while args and args[0].startswith("-") and len(args[0]) > 1:
            opt = args.pop(0)
            if opt in ("-p", "-t", "-f") and args:
                value = args.pop(0)
                if opt == "-t":
                    tag = value
            elif opt[:2] in ("-p", "-t", "-f") and opt[:2] == "-t":
                tag = opt[2:]
        with self.lock:
            self.logged.append(f"{tag + ': ' if tag else ''}{' '.join(args)}")
        return 0

    def _identity(self, call: ShimCall) -> int:
        """``uname [-snrvmpiaX]`` and ``hostname`` (no argument) as on Solaris 10."""
        node = self.host.hostname
        if call.name == "hostname":
            if len(call.argv) > 1:   # setting the node name is not simulated
                return self._write(call, [(2, b"hostname: cannot set the host name\n")], 1)
            return self._write(call, [(1, (node + "\n").encode())], 0)
        flags = ""
        for arg in call.argv[1:]:
            if not arg.startswith("-") or len(arg) < 2 or arg.strip("-snrvmpiaX"):
                return self._write(call, [(2, b"usage: uname [-snrvmapiX]\n")], 1)
            flags += arg[1:]
        values = {**UNAME, "n": node}
        if "X" in flags:
            text = (f"System = SunOS\nNode = {node}\nRelease = {UNAME['r']}\n"
                    f"KernelID = {UNAME['v']}\nMachine = {UNAME['m']}\nBusType = <unknown>\n"
                    "Serial = <unknown>\nUsers = <unknown>\nOEM# = 0\nOrigin# = 1\n"
                    "NumCPU = 2\n")
        else:
            wanted = "snrvmpi" if "a" in flags else (flags or "s")
            text = " ".join(values[f] for f in "snrvmpi" if f in wanted) + "\n"
        return self._write(call, [(1, text.encode())], 0)

    def _time_command(self, call: ShimCall) -> int:
        """``sleep``/``date`` when no virtual-time library could be built."""
        from simulator.core.units import parse_duration
        if call.name == "sleep":
            try:
                seconds = sum(parse_duration(a) for a in call.argv[1:])
            except ValueError:
                return self._write(call, [(2, b"sleep: invalid time interval\n")], 1)
            self.on_sleep(seconds)
            return 0
        fmt = next((a[1:] for a in call.argv[1:] if a.startswith("+")), "%a %b %e %H:%M:%S %Z %Y")
        with self.lock:
            text = time.strftime(fmt.replace("%Z", self.host.clock.timezone),
                                 self.host.clock.localtime(self.host.clock.now))
        return self._write(call, [(1, (text + "\n").encode())], 0)

    # ------------------------------------------------------------------ host files
    def _push_files(self) -> None:
        """Show the host's current files and device nodes to the driver."""
        assert self.sandbox is not None
        for path, text in etc_files(self.host).items():
            if self._files.get(path) != text:
                self.sandbox.update_etc(path, text)
                self._files[path] = text
        nodes = set(device_nodes(self.host))
        for node in sorted(nodes - self._nodes):
            self.sandbox.add_dev_node(node)
        for node in sorted(self._nodes - nodes):
            if node.startswith("/dev/md/"):
                self.sandbox.remove_dev_node(node)
        self._nodes = nodes

    def _pull_files(self) -> None:
        """A driver may write /etc/lvm/md.tab (``metastat -p > /etc/lvm/md.tab``)."""
        assert self.sandbox is not None
        path = self.sandbox.host_path("/etc/lvm/md.tab")
        with contextlib.suppress(OSError):
            text = path.read_text(errors="replace")
            if text != self._files.get("/etc/lvm/md.tab"):
                self.host.md.mdtab = text
                self._files["/etc/lvm/md.tab"] = text

    # ------------------------------------------------------------------ the run
    def run(self, capture: bool = False, stdin: Any = None) -> tuple[RunResult, Any]:
        from simulator.harness.build import build
        artifacts = build()
        workdir = Path(self.workdir or tempfile.mkdtemp(prefix="svmsim-run-"))
        self.started = self.host.clock.now
        files = etc_files(self.host)
        self._files = dict(files)
        self._nodes = set(device_nodes(self.host))
        real0 = time.monotonic()
        with _sigpipe_ignored(), _removed_after(workdir, self.workdir is None), \
                Sandbox(workdir, command_paths(with_time=artifacts.preload is None), ALIASES,
                        files, sorted(self._nodes), method=self.method,  # type: ignore[arg-type]
                        client=self.client, artifacts=artifacts) as sandbox:  # type: ignore[arg-type]
            self.sandbox = sandbox
            with ShimServer(sandbox.socket_path, self.dispatch, self.on_sleep, self.now,
                            clock_path=sandbox.clock_path) as server:
                server.publish_clock()
                proc = sandbox.run(self.command, stdin=stdin, timeout=self.timeout,
                                   capture=capture)
            method, shim = sandbox.method, sandbox.client
        driver_exit: int | None = proc.returncode
        notes = [f"logger: {line}" for line in self.logged]
        if proc.timed_out:
            driver_exit = None
            notes.append(f"the driver was killed after {self.timeout:.0f} real seconds")
        elif self.hung or self.stopped:
            driver_exit = None
        if self.stopped:
            notes.append(self.stopped)
        checks = run_checks(self.host, self.transcript, driver_exit, self.hung, self.expect,
                            resolve=sandbox.host_path)
        if self.host.internal_errors:   # the simulation itself failed: the verdict can't stand
            last = self.host.internal_errors[-1].strip().splitlines()[-1]
            checks.append(Check("simulator-sound", False,
                                f"{len(self.host.internal_errors)} internal simulator "
                                f"error(s); last: {last}"))
        result = RunResult(
            scenario=self.scenario.name, command=self.command, driver_exit=driver_exit,
            checks=checks, transcript=self.transcript, method=method, shim=shim,
            hung=self.hung, virtual_start=self.started, virtual_end=self.host.clock.now,
            real_seconds=time.monotonic() - real0, hostname=self.host.hostname, notes=notes)
        return result, proc


def run_driver(scenario: str | Scenario, command: Sequence[str], **kwargs: Any) -> RunResult:
    """Run ``command`` against a fresh host from ``scenario`` and return the verdict."""
    from simulator.scenario import load_scenario
    sc = load_scenario(scenario) if isinstance(scenario, str) else scenario
    capture = kwargs.pop("capture", False)
    stdin = kwargs.pop("stdin", None)
    result, _ = HarnessRun(sc, command, **kwargs).run(capture=capture, stdin=stdin)
    return result
