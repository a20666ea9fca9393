"""Run a site's backup driver, unmodified, against a simulated host, and judge the run.

One process holds the state: the scenario's host, a :class:`ShimServer` answering every
fake command the driver runs (by any path: ``/usr/sbin/metastat``, ``metastat`` on PATH,
``/usr/opt/SUNWmd/sbin/metastat``), and the :class:`Sandbox` that shows the driver a Solaris
file tree without touching the host. After each call the host's files (``/etc/vfstab``,
``/etc/mnttab``, ``/etc/lvm/md.tab``, ``/etc/dumpdates``, ``/dev/md/...``) are brought up to
date; virtual sleeps advance the host's clock (resyncs progress, the workload writes).
When the driver exits, the session's checks give the verdict.

A thin front over :class:`simulator.session.session.Session`, which runs and records every
call, mirrors the host's files (through a
:class:`~simulator.session.hostfiles.SandboxView`) and judges the run; what is the harness's
own is the transport, the sandbox (with Solaris's ``nawk``: :func:`aliases`), the trees of
mounted file systems in the driver's view (:mod:`simulator.harness.mounts`),
``logger``/``uname``/``hostname``, and the real and virtual time limits.
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
from typing import IO, TYPE_CHECKING, Any, BinaryIO, Literal

from simulator.core.errors import HostHung
from simulator.core.files import FileAccess
from simulator.core.registry import PROGRAMS
from simulator.harness import protocol as P
from simulator.harness.mounts import MountedTrees
from simulator.harness.sandbox import Method, Sandbox
from simulator.harness.server import ShimCall, ShimServer
from simulator.session.checks import Expectations
from simulator.session.hostfiles import FileMirror, SandboxView, device_nodes, etc_files
from simulator.session.session import Session
from simulator.session.transcript import Transcript
from simulator.session.verdict import RunResult
from simulator.sunos.release import program_paths, uname

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

    from simulator.harness.sandbox import SandboxResult
    from simulator.host import Host
    from simulator.scenario import Scenario

# Solaris userland names Linux lacks, as links to the nearest real program (the awks are
# :func:`aliases`'s).
ALIASES = {"/usr/xpg4/bin/sh": "/bin/sh", "/usr/xpg4/bin/grep": "/bin/grep",
           "/usr/xpg4/bin/sed": "/bin/sed", "/usr/xpg4/bin/tail": "/usr/bin/tail",
           "/usr/xpg4/bin/id": "/usr/bin/id"}
# Solaris 10 has three awks: /usr/bin/awk is the old awk (illumos usr/src/cmd/oawk), nawk is
# the new awk of the AWK book (usr/src/cmd/awk: the Bell Labs lineage whose latest form is
# Kernighan's one-true-awk, Debian's ``original-awk``), /usr/xpg4/bin/awk the POSIX one
# (usr/src/cmd/awk_xpg4). A script's ``for (k in a)`` visits keys in its awk's hash-table
# order (one-true-awk tran.c: hash = c + 31*hash over NHASH 50 buckets, rehashed as the table
# fills), and real root-mirror split scripts pick the submirror to detach that way, so nawk
# must be one-true-awk, not mawk or gawk. /usr/xpg4/bin/awk runs the same program: it speaks
# the same POSIX language (its own MKS-derived table order is simulated by no Linux awk).
# /usr/bin/awk stays the machine's awk: old awk's programs are a subset every awk runs, and
# the driver's own Linux tools may rely on it.
ONE_TRUE_AWK = "/usr/bin/original-awk"
NAWK_PATHS = ("/usr/bin/nawk", "/usr/xpg4/bin/awk")


def aliases(one_true_awk: str = ONE_TRUE_AWK) -> tuple[dict[str, str], list[str]]:
    """Every alias the sandbox makes, and a report note when nawk cannot be one-true-awk."""
    out = dict(ALIASES)
    notes: list[str] = []
    if os.path.isfile(one_true_awk) and os.access(one_true_awk, os.X_OK):
        target = one_true_awk
    else:
        target = "/usr/bin/awk"
        notes.append(f"nawk: {one_true_awk} is not installed (Debian package original-awk),"
                     f" so {' and '.join(NAWK_PATHS)} run {target}, whose for (k in a) order"
                     " is not Solaris nawk's")
    out.update(dict.fromkeys(NAWK_PATHS, target))
    return out, notes


# ``uname``/``hostname`` answer as the simulated Solaris host, not the Linux box under it:
# real scripts gate on them, e.g. quickservchk.sh (``[ "`uname -s`" != SunOS ] && exit 1``,
# ``uname -X | grep KernelID``) and a Perl mirror check (``$os !~ /sunos/i``), and name their
# logs after ``uname -n``/``hostname``. Values: those of the host's release
# (``simulator.sunos.release.UNAMES``; illumos usr/src/cmd/uname/uname.c gives the option
# order and the -X block).
IDENTITY_PATHS = {"uname": ["/usr/bin/uname", "/bin/uname", "/sbin/uname"],
                  "hostname": ["/usr/bin/hostname", "/bin/hostname"]}
MAX_VIRTUAL_SECONDS = 30 * 86400.0     # a driver polling forever stops after 30 virtual days


def command_paths(with_time: bool, release: str | None = None) -> dict[str, list[str]]:
    """Every fake command and the absolute paths where a script may call it: every path of
    the registry, or those a host of ``release`` has (no ``/usr/opt/SUNWmd`` after 5.9:
    :func:`simulator.sunos.release.program_paths`)."""
    out = {name: list(program.paths) if release is None else
           program_paths(program.paths, release) for name, program in PROGRAMS.items()}
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

    def readable(self) -> bool:
        return True

    def readinto(self, b: WriteableBuffer) -> int:
        view = memoryview(b).cast("B")
        with self.call.unlocked(), _released(self.lock):
            data = os.read(self.fd, len(view))
        view[:len(data)] = data
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
                 method: Method | None = None, client: Literal["c", "python"] | None = None,
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
        self.expect = Expectations.from_dict(scenario.expect)
        self.session = Session(self.host)
        self.stopped: str | None = None
        self.logged: list[str] = []
        self.sandbox: Sandbox | None = None
        self.trees: MountedTrees | None = None
        self.started = self.host.clock.now

    @property
    def transcript(self) -> Transcript:
        return self.session.transcript

    @property
    def hung(self) -> str | None:
        return self.session.hung

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
        session = self.session
        with session.lock:
            if session.hung or self.stopped:
                return 128 + signal.SIGKILL
            try:
                entry = session.dispatch(
                    call.argv, stdin_file=_Stdin(call.stdin, call, session.lock),
                    uid=call.uid, env=call.env, cwd=call.cwd,
                    interactive=os.isatty(call.stdin), files=SandboxFiles(self.sandbox))
            except HostHung as e:   # the host was hung before this call
                self._hang(str(e))
                return 128 + signal.SIGKILL
            if self.trees is not None:
                self.trees.sync()
        code = self._write(call, entry.result.chunks, entry.exit_code)
        if session.hung:
            # everything on the host now blocks: the driver can never finish
            self._hang(session.hung)
        return code

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
        self.session.hung = reason
        if self.sandbox is not None:
            self.sandbox.kill()

    def on_sleep(self, seconds: float) -> None:
        with self.session.lock:
            self.session.sleep(seconds)
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
        with self.session.lock:
            self.logged.append(f"{tag + ': ' if tag else ''}{' '.join(args)}")
        return 0

    def _identity(self, call: ShimCall) -> int:
        """``uname [-snrvmpiaX]`` and ``hostname`` (no argument) as on the host's release."""
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
        un = uname(self.host.release)
        if "X" in flags:
            text = (f"System = SunOS\nNode = {node}\nRelease = {un.release}\n"
                    f"KernelID = {un.version}\nMachine = {un.machine}\nBusType = <unknown>\n"
                    "Serial = <unknown>\nUsers = <unknown>\nOEM# = 0\nOrigin# = 1\n"
                    "NumCPU = 2\n")
        else:
            wanted = "snrvmpi" if "a" in flags else (flags or "s")
            text = " ".join(un.field(f, node) for f in "snrvmpi" if f in wanted) + "\n"
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
        with self.session.lock:
            text = time.strftime(fmt.replace("%Z", self.host.clock.timezone),
                                 self.host.clock.localtime(self.host.clock.now))
        return self._write(call, [(1, (text + "\n").encode())], 0)

    # ------------------------------------------------------------------ the run
    def run(self, capture: bool = False, stdin: bytes | int | IO[Any] | None = None
            ) -> tuple[RunResult, SandboxResult]:
        from simulator.harness.build import build
        artifacts = build()
        workdir = Path(self.workdir or tempfile.mkdtemp(prefix="svmsim-run-"))
        self.started = self.host.clock.now
        files = etc_files(self.host)
        nodes = sorted(device_nodes(self.host))
        links, link_notes = aliases()
        real0 = time.monotonic()
        with _sigpipe_ignored(), _removed_after(workdir, self.workdir is None), \
                Sandbox(workdir, command_paths(with_time=artifacts.preload is None,
                                               release=self.host.release), links,
                        files, nodes, method=self.method, client=self.client,
                        artifacts=artifacts) as sandbox:
            self.sandbox = sandbox
            self.session.mirror = FileMirror(self.host, SandboxView(sandbox), messages=True,
                                             shown=files, nodes=nodes)
            trees = self.trees = MountedTrees(self.host, sandbox)
            try:
                trees.sync()
                with ShimServer(sandbox.socket_path, self.dispatch, self.on_sleep, self.now,
                                clock_path=sandbox.clock_path) as server:
                    server.publish_clock()
                    proc = sandbox.run(self.command, stdin=stdin, timeout=self.timeout,
                                       capture=capture)
            finally:
                with self.session.lock:
                    trees.close()
            method, shim = sandbox.method, sandbox.client
        driver_exit: int | None = proc.returncode
        notes = [f"logger: {line}" for line in self.logged]
        notes += [f"{m.program}: to {', '.join(m.recipients) or '(nobody)'}"
                  f"{': ' + m.subject if m.subject else ''} (recorded, never sent)"
                  for m in self.host.sunos.mail]
        if proc.timed_out:
            driver_exit = None
            notes.append(f"the driver was killed after {self.timeout:.0f} real seconds")
        elif self.hung or self.stopped:
            driver_exit = None
        if self.stopped:
            notes.append(self.stopped)
        notes += link_notes + trees.notes + sandbox.notes
        checks = self.session.verdict(driver_exit, self.expect, resolve=sandbox.host_path)
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
