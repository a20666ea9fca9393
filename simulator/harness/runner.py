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
import errno
import importlib
import io
import os
import re
import shlex
import shutil
import signal
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, Literal, cast

from simulator.core.errors import HostHung, HostPanic
from simulator.core.files import AccessPath, FileAccess, access_path_type, kind_of, read_bytes
from simulator.core.registry import PROGRAMS
from simulator.harness import protocol as P
from simulator.harness.mounts import MountedTrees
from simulator.harness.sandbox import Method, Sandbox, scratch_base
from simulator.harness.server import FileChannel, Peer, ShimCall, ShimServer
from simulator.session.checks import Expectations
from simulator.session.hostfiles import FileMirror, SandboxView, device_nodes, view_files
from simulator.session.session import Session
from simulator.session.transcript import Transcript
from simulator.session.verdict import RunResult, result_of
from simulator.sunos.release import program_paths, uname_output

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

    from simulator.faults import Fault
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
    """Real files as the driver sees them: every operation is the calling client's.

    The shim client (running as the driver, in its namespaces and its cwd) opens, unlinks,
    stats or reads the link, and an opened file comes back as a descriptor over the call's
    connection (:class:`simulator.harness.server.FileChannel`), so a fake ``ufsdump 0f
    /root-only/file`` fails as the driver's own ``>`` would, ``x.dump`` lands in the
    driver's cwd, ``/backup/x.dump`` in the driver's ``/backup``, and a link the driver
    planted leads only where the driver itself could go. A relative path is joined to the
    call's cwd (the kernel's: ``server.peer_cwd``). A file opened for writing is created
    with mode 0666 less the driver's umask, as ``open64(tape, O_WRONLY|O_CREAT|O_TRUNC,
    0666)`` in illumos usr/src/cmd/backup/dump/dumptape.c.

    ``resolve`` gives a :class:`~simulator.core.files.AccessPath` whose ``exists``/
    ``is_dir``/``is_file``/``is_symlink``/``unlink``/``readlink``/``mkdir``/``open``/
    ``read_*``/``write_*`` are the same client operations, as are ufsrestore's ``mkdir``/
    ``rmdir``/``chmod``/``utime``/``symlink``/``rename``. A driver's path never becomes a
    path of the machine: ``os.fspath`` of such a path raises, so a caller that would reach
    ``os`` directly fails loudly (an internal error) instead of acting as the harness.
    """

    def __init__(self, sandbox: Sandbox, channel: FileChannel) -> None:
        self.sandbox = sandbox
        self.channel = channel
        self._path_type: type[AccessPath] | None = None

    @property
    def path_type(self) -> type[AccessPath]:
        """The path class bound to this call's files, made when a command first resolves a
        path (making a class costs ~25 us; most calls, ``metastat``, resolve none)."""
        if self._path_type is None:
            self._path_type = access_path_type(self, "DriverPath")
        return self._path_type

    @staticmethod
    def absolute(path: str, cwd: str) -> str:
        return path if path.startswith("/") else os.path.join(cwd or "/", path)

    def resolve(self, path: str, cwd: str) -> Path:
        return self.path_type(self.absolute(path, cwd))

    def open_write(self, path: str, cwd: str) -> BinaryIO:
        fd = self.channel.open(self.absolute(path, cwd),
                               os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        return open(fd, "wb")

    def open_read(self, path: str, cwd: str) -> BinaryIO:
        fd = self.channel.open(self.absolute(path, cwd), os.O_RDONLY)
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            os.close(fd)
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        return cast(BinaryIO, io.BufferedReader(_Bounded(fd, MAX_INPUT)))

    def kind(self, path: str, cwd: str, follow: bool = True) -> str:
        try:
            mode, _size = self.channel.stat(self.absolute(path, cwd), follow)
        except (OSError, ValueError):
            return ""
        return kind_of(mode)

    def unlink(self, path: str, cwd: str) -> None:
        self.channel.unlink(self.absolute(path, cwd))

    def readlink(self, path: str, cwd: str) -> str:
        return self.channel.readlink(self.absolute(path, cwd))

    def mkdir(self, path: str, cwd: str, mode: int = 0o777) -> None:
        self.channel.mkdir(self.absolute(path, cwd), mode)

    def rmdir(self, path: str, cwd: str) -> None:
        self.channel.rmdir(self.absolute(path, cwd))

    def chmod(self, path: str, cwd: str, mode: int) -> None:
        self.channel.chmod(self.absolute(path, cwd), mode)

    def utime(self, path: str, cwd: str, when: float) -> None:
        self.channel.utime(self.absolute(path, cwd), when)

    def symlink(self, target: str, path: str, cwd: str) -> None:
        self.channel.symlink(target, self.absolute(path, cwd))

    def rename(self, old: str, new: str, cwd: str) -> None:
        self.channel.rename(self.absolute(old, cwd), self.absolute(new, cwd))


# A fake command reads at most this much of a file or of its standard input: every archive,
# md.tab or mail body a driver hands svmsim is far smaller (the seed scenario's archive is
# 320 KB), and a driver streaming a gigabyte into ``ufsrestore tf -`` must not make the
# harness hold it. The rest is left unread, as by a program that stopped reading (its
# writer then gets EPIPE/SIGPIPE when the command exits).
MAX_INPUT = 32 * 1024 * 1024


class _Bounded(io.RawIOBase):
    """A descriptor read up to ``limit`` bytes, then end of file."""

    def __init__(self, fd: int, limit: int) -> None:
        super().__init__()
        self.fd, self.left = fd, limit

    def readable(self) -> bool:
        return True

    def readinto(self, b: WriteableBuffer) -> int:
        view = memoryview(b).cast("B")
        if self.left <= 0 or not len(view):
            return 0
        data = self._read(min(len(view), self.left))
        view[:len(data)] = data
        self.left -= len(data)
        return len(data)

    def _read(self, n: int) -> bytes:
        return os.read(self.fd, n)

    def close(self) -> None:
        if not self.closed:
            with contextlib.suppress(OSError):
                os.close(self.fd)
        super().close()


class _Stdin(_Bounded):
    """The caller's stdin, read without holding the model lock (a pipe may need another
    fake command, or a virtual sleep, to make progress), and at most MAX_INPUT bytes of
    it: read in chunks as the command asks, never all at once."""

    def __init__(self, fd: int, call: ShimCall, lock: threading.RLock) -> None:
        super().__init__(fd, MAX_INPUT)
        self.call, self.lock = call, lock

    def close(self) -> None:        # the descriptor is the call's: it closes it
        io.RawIOBase.close(self)

    def _read(self, n: int) -> bytes:
        with self.call.unlocked(), _released(self.lock):
            try:
                return os.read(self.fd, min(n, 1 << 20))
            except IsADirectoryError:   # ``< /`` read as a file: nothing, as read(2) gives
                return b""

    def readall(self) -> bytes:
        chunks = bytearray()
        buf = bytearray(1 << 20)
        while True:
            n = self.readinto(buf)
            if not n:
                return bytes(chunks)
            chunks += buf[:n]


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
                 max_virtual: float = MAX_VIRTUAL_SECONDS,
                 expected: Sequence[str] | None = None,
                 keep: str | Path | None = None,
                 faults: Sequence[Fault | str] = ()) -> None:
        if faults:      # injected faults join the scenario's [[fault]] tables
            from simulator.faults import parse_fault
            extra = [parse_fault(f) if isinstance(f, str) else f for f in faults]
            source = scenario.source
            scenario = scenario.model_copy(update={"fault_specs": [*scenario.faults, *extra]})
            scenario.source = source
        self.scenario = scenario
        self.keep = Path(keep).absolute() if keep is not None else None
        self.command = list(command)
        self.method = method
        self.client = client
        self.timeout = timeout
        self.workdir = workdir
        self.max_virtual = max_virtual
        self.host: Host = scenario.build_host()
        self.expect = Expectations.from_dict(scenario.expect)
        self.expected = tuple(expected) if expected else None   # overrides [expect] outcome
        self.session = Session(self.host)
        self.stopped: str | None = None
        self.going_down = False     # the host went down: the run's processes are being killed
        self.boot_result: SandboxResult | None = None   # [host] boot_script after a reboot
        self.logged: list[str] = []
        self.sandbox: Sandbox | None = None
        self.trees: MountedTrees | None = None
        self.warmup: Warmup | None = None
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
        if self.warmup is not None:
            self.warmup.commands.wait()     # no import of a command's module in two threads
        if name == "logger":
            return self._logger(call)
        if name in ("sleep", "date"):
            return self._time_command(call)
        if name in IDENTITY_PATHS:
            return self._identity(call)
        assert self.sandbox is not None and call.files is not None
        session = self.session
        # The driver is root inside its sandbox: uid 0 of its user namespace (the kernel's
        # answer, ``server.inside_uid``), or proot -0's emulated root.
        uid = call.uid if self.sandbox.method == "unshare" else 0
        with session.lock:
            if session.hung or self.stopped or self.going_down:
                return 128 + signal.SIGKILL
            try:
                entry = session.dispatch(
                    call.argv, stdin_file=_Stdin(call.stdin, call, session.lock),
                    uid=uid, env=call.env, cwd=call.cwd,
                    interactive=os.isatty(call.stdin),
                    files=SandboxFiles(self.sandbox, call.files))
            except HostHung as e:   # the host was hung before this call
                self._hang(str(e))
                return 128 + signal.SIGKILL
            except HostPanic:       # the host went down in this call: so does the run
                self._down()
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

    def _boot_script(self, sandbox: Sandbox, capture: bool) -> None:
        """After the host's reboot, the scenario's ``[host] boot_script`` runs in the same
        view (the files the driver left are still there, as on the real disk), as an rc
        script would; its fake calls are the transcript's like the driver's. A word of it
        that names a file relative to the scenario's directory is that file (a shipped
        scenario says ``sh ../drivers/svm-online-backup.sh -R``), shown in the view as a
        driver's own script is."""
        self.going_down = False
        if self.trees is not None:
            with self.session.lock:
                self.trees.sync()
        here = Path(self.scenario.source).parent
        argv = [str(here / w) if not w.startswith(("-", "/")) and (here / w).is_file() else w
                for w in shlex.split(self.host.boot_script)]
        self.boot_result = sandbox.run(argv, stdin=b"", timeout=self.timeout, capture=capture)

    def _down(self) -> None:
        """The host panicked or rebooted (the session has recorded it and booted the host):
        the driver and every process of the run die with it, as on the real host."""
        self.going_down = True
        if self.sandbox is not None:
            self.sandbox.kill()

    def _hang(self, reason: str) -> None:
        self.session.hung = reason
        if self.sandbox is not None:
            self.sandbox.kill()

    def on_sleep(self, seconds: float) -> None:
        """A virtual sleep; one past the virtual time limit stops the run at the limit (a
        ``SLEEP 1e300`` frame moves the clock to it, not by 1e300 seconds)."""
        if self.warmup is not None:
            self.warmup.commands.wait()     # the model imports only in one thread at a time
        with self.session.lock:
            left = self.max_virtual - (self.host.clock.now - self.started)
            try:
                self.session.sleep(min(seconds, max(left, 0.0) + 1.0))
            except HostPanic:       # a timed fault took the host down while it slept
                self._down()
                return
            if self.host.clock.now - self.started > self.max_virtual and not self.stopped:
                self.stopped = (f"virtual time limit: the driver ran for more than "
                                f"{self.max_virtual / 86400:.0f} virtual days")
                if self.sandbox is not None:
                    self.sandbox.kill()

    def now(self) -> float:
        return self.host.clock.now

    def admit(self, peer: Peer) -> bool:
        """Only a process of this run may call: the uid the driver runs as, and (the kernel
        says) inside the run's PID namespace when it has one, else a descendant of the
        driver's first process. Another local user, or a process of the same uid outside
        the run, is refused (its connection closed unanswered)."""
        sandbox = self.sandbox
        if sandbox is None or peer.uid != sandbox.uid:
            return False
        top = sandbox.driver_pid()      # a first call may come before its pid is seen here
        return top is not None and of_run(peer.pid, top)

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
        out, err, code = uname_output(self.host.release, node, call.argv[1:])
        return self._write(call, [(1, out.encode())] if out else [(2, err.encode())], code)

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
        fmt = next((a[1:] for a in call.argv[1:] if a.startswith("+")), None)
        with self.session.lock:
            text = self.host.clock.date(fmt)
        return self._write(call, [(1, (text + "\n").encode())], 0)

    # ------------------------------------------------------------------ the run
    def run(self, capture: bool = False, stdin: bytes | int | IO[Any] | None = None,
            meanwhile: Callable[[], object] | None = None
            ) -> tuple[RunResult, SandboxResult]:
        """Run the driver and judge it. ``meanwhile``: work the caller needs afterwards (the
        report's imports), done while the driver runs (:class:`Warmup`)."""
        from simulator.harness.build import build
        artifacts = build()
        workdir = Path(self.workdir or tempfile.mkdtemp(prefix="svmsim-run-",
                                                        dir=scratch_base()))
        self.started = self.host.clock.now
        files = view_files(self.host, messages=True)
        nodes = sorted(device_nodes(self.host))
        links, link_notes = aliases()
        real0 = time.monotonic()
        with _sigpipe_ignored(), _removed_after(workdir, self.workdir is None), \
                Sandbox(workdir, command_paths(with_time=artifacts.preload is None,
                                               release=self.host.release), links,
                        files, nodes, method=self.method, client=self.client,
                        artifacts=artifacts, keep_dir=self.keep) as sandbox:
            self.sandbox = sandbox
            view = SandboxView(sandbox)
            self.session.mirror = FileMirror(self.host, view, messages=True,
                                             shown=files, nodes=nodes)
            trees = self.trees = MountedTrees.with_cache(self.host, sandbox)
            try:
                trees.sync()
                with ShimServer(sandbox.socket_path, self.dispatch, self.on_sleep, self.now,
                                clock_path=sandbox.clock_path, admit=self.admit) as server:
                    server.publish_clock()
                    warmup = self.warmup = Warmup(self.command, meanwhile)
                    proc = sandbox.run(self.command, stdin=stdin, timeout=self.timeout,
                                       capture=capture, on_start=warmup.start)
                    warmup.join()
                    if self.session.panicked and self.host.boot_script and not proc.timed_out:
                        self._boot_script(sandbox, capture)
            finally:
                with self.session.lock:
                    trees.close()
                    view.close()
            method, shim = sandbox.method, sandbox.client
            driver_exit: int | None = proc.returncode
            timed_out: str | None = None
            if proc.timed_out:
                driver_exit = None
                timed_out = f"the driver was killed after {self.timeout:g} real seconds"
            elif self.hung or self.stopped or self.session.panicked:
                driver_exit = None      # killed: it never exited on its own
            if self.stopped and not self.hung:
                timed_out = timed_out or self.stopped
            # judged while the run's view still exists: checks read the driver's files in it
            judgement = self.session.judge(driver_exit, self.expect, resolve=sandbox.host_path,
                                           timed_out=timed_out, expected=self.expected)
        notes = [f"logger: {line}" for line in self.logged]
        notes += [f"{m.program}: to {', '.join(m.recipients) or '(nobody)'}"
                  f"{': ' + m.subject if m.subject else ''} (recorded, never sent)"
                  for m in self.host.sunos.mail]
        if self.boot_result is not None:
            notes.append(f"boot script {self.host.boot_script!r}: "
                         + ("killed at the timeout" if self.boot_result.timed_out
                            else f"exit {self.boot_result.returncode}"))
        notes += link_notes + trees.notes + sandbox.notes
        result = result_of(
            judgement, scenario=self.scenario.name, command=self.command,
            driver_exit=driver_exit, transcript=self.transcript, method=method, shim=shim,
            hung=self.hung, virtual_start=self.started, virtual_end=self.host.clock.now,
            real_seconds=time.monotonic() - real0, hostname=self.host.hostname, notes=notes,
            timed_out=timed_out, left_files=list(sandbox.left),
            kept_in=str(self.keep) if self.keep is not None and sandbox.left else None)
        return result, proc


class Warmup:
    """Work done in a thread of its own while the driver starts and runs, when the harness
    would only wait for it (a free core does it at no cost to the run): first the modules of
    the fake programs ``command`` names (:func:`named_programs`, read in the thread too),
    which its first calls would otherwise import, and the verdict's
    (``Session.JUDGE_IMPORTS``), then ``meanwhile`` (the caller's: the report's).

    A call (or a virtual sleep) is served only once the programs' modules are imported
    (``commands``), so the model's modules are never imported by two threads at once.
    Whatever the work raises is dropped: an import that failed here fails again, and is
    reported, where the module is used."""

    def __init__(self, command: Sequence[str],
                 meanwhile: Callable[[], object] | None = None) -> None:
        self.command = list(command)
        self.meanwhile = meanwhile
        self.commands = threading.Event()
        self.thread = threading.Thread(target=self._work, name="svmsim-warmup", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def join(self) -> None:
        """Wait for the work (done already unless the driver was quicker)."""
        if self.thread.ident is not None:
            self.thread.join()
        self.commands.set()

    def _work(self) -> None:
        try:
            with contextlib.suppress(Exception):
                for module in (*named_programs(self.command), *Session.JUDGE_IMPORTS):
                    with contextlib.suppress(Exception):
                        importlib.import_module(module)
        finally:
            self.commands.set()
        if self.meanwhile is not None:
            with contextlib.suppress(Exception):
                self.meanwhile()


# a driver script larger than this is not read for the names of fake programs
_MAX_SCANNED = 1 << 20


def named_programs(command: Sequence[str]) -> list[str]:
    """The modules of the fake programs ``command`` names, in the order first named: as a
    word of its own (``metastat``, ``/usr/sbin/metastat``) or in the text of a file it
    names (the driver script; up to 1 MiB). A guess, made only to import them early
    (:class:`Warmup`): a program named but never run costs its import, one run but not
    named (a script another sources) is imported when first called, as always."""
    words: dict[bytes, None] = {}
    for arg in command:
        words.update(dict.fromkeys(_WORD.findall(arg.encode("utf-8", "surrogateescape"))))
        with contextlib.suppress(OSError, ValueError):
            st = os.stat(arg)
            if stat.S_ISREG(st.st_mode) and st.st_size <= _MAX_SCANNED:
                with open(arg, "rb") as f:
                    words.update(dict.fromkeys(_WORD.findall(f.read(_MAX_SCANNED))))
    return [PROGRAMS[w].module for w in (b.decode("ascii") for b in words) if w in PROGRAMS]


_WORD = re.compile(rb"[a-z]+")


def _pid_ns(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/ns/pid")
    except OSError:
        return None


_OWN_NS: tuple[int, str] | None = None


def _own_pid_ns() -> str | None:
    """The harness's own PID namespace (a process never leaves its PID namespace: read once
    per process)."""
    global _OWN_NS
    me = os.getpid()
    if _OWN_NS is None or _OWN_NS[0] != me:
        ns = _pid_ns(me)
        if ns is None:
            return None
        _OWN_NS = (me, ns)
    return _OWN_NS[1]


def _parent(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            raw = f.read()
    except OSError:
        return 0
    return int(raw[raw.rindex(b")") + 2:].split()[1])   # stat(5): state, then ppid


def of_run(pid: int, top: int) -> bool:
    """Whether ``pid`` belongs to the run whose first process is ``top``: in a PID namespace
    of the run's (``/proc/PID/ns/pid`` of ``top`` or of one of its children, when it is
    not the harness's), else descended from ``top``."""
    ns = _pid_ns(pid)
    if ns is None:
        return False
    if ns != _own_pid_ns():
        # first the children of top's main thread alone (under unshare, the run's namespace
        # is its child's): a match there is a match of the whole answer below, found
        # without listing top's threads
        with contextlib.suppress(OSError, ValueError):
            main = [int(k) for k in read_bytes(f"/proc/{top}/task/{top}/children")
                    .decode("ascii").split()]
            if any(_pid_ns(k) == ns for k in main):
                return True
        kids: list[int] = []
        with contextlib.suppress(OSError, ValueError):
            for task in os.listdir(f"/proc/{top}/task"):
                kids += [int(k) for k in read_bytes(f"/proc/{top}/task/{task}/children")
                         .decode("ascii").split()]
        # asked of every fake call: the namespaces are read one by one until one is the
        # caller's, the kids' first (the answer is that of ``ns in {ns of top and of each
        # kid}``; under unshare, the kid is the run's namespace and top is outside it)
        return any(_pid_ns(p) == ns for p in (*kids, top))
    for _ in range(4096):
        if pid == top:
            return True
        if pid <= 1:
            return False
        pid = _parent(pid)
    return False


def run_driver(scenario: str | Scenario, command: Sequence[str], **kwargs: Any) -> RunResult:
    """Run ``command`` against a fresh host from ``scenario`` and return the verdict.

    Keywords: ``capture`` (True: the driver's stdout and stderr are captured, not shown),
    ``stdin`` (bytes, a file descriptor or a file; None inherits), ``expected`` (acceptable
    outcomes, overriding the scenario's ``[expect] outcome``), and :class:`HarnessRun`'s
    ``method``, ``client``, ``timeout``, ``workdir``, ``max_virtual``, ``keep`` (a directory
    where the files the driver left in its private view are copied, at their paths inside
    it: ``keep/var/tmp/x.dump``; ``RunResult.left_files`` lists them either way),
    ``faults`` (Faults or one-line specs, armed with the scenario's own). The
    :class:`~simulator.session.verdict.RunResult` carries the outcome and the checks.
    """
    from simulator.scenario import load_scenario
    sc = load_scenario(scenario) if isinstance(scenario, str) else scenario
    capture = kwargs.pop("capture", False)
    stdin = kwargs.pop("stdin", None)
    result, _ = HarnessRun(sc, command, **kwargs).run(capture=capture, stdin=stdin)
    return result
