"""Run the site's driver script in a root of its own: a Solaris-shaped file tree private to the run.

Why: the driver calls Solaris commands by absolute path (``/usr/sbin/metastat``,
``/usr/opt/SUNWmd/sbin/metastat``), reads ``/etc/vfstab``, tests ``[ -c /dev/md/rdsk/d1 ]``,
writes dumps to ``/var/tmp`` or ``/backup`` and logs to ``$HOME``.  None of that may touch
the machine, so the driver runs in a root built for the run (issue 8, "a Solaris-shaped root
for the driver"):

* every top-level directory of the machine (``/usr``, ``/etc``, ``/var``, ``/home``,
  ``/root``, ``/opt``, the checkout's ``/work``...) is an overlay whose lower layer is the
  machine's directory, read-only, and whose upper layer is in the run's directory: what the
  driver writes there stays in the run;
* ``/tmp`` and ``/var/tmp`` are fresh and empty (mode 1777), the run's own; ``/export``,
  ``/backup``, ``/var/adm`` and the simulated mount points (``/home1``, ``/export/home``)
  exist as directories (:meth:`Sandbox.add_directory`);
* the working directory and ``$HOME`` keep the machine's files (an overlay of their own
  when they lie in a fresh directory, e.g. a pytest ``tmp_path``); files named on the
  command line that would not be visible are bound read-only at their own path;
* ``/dev`` is a sandbox directory holding symlinks plus bind mounts of the few real devices
  shells need; ``/proc`` is a new proc of a **PID namespace**, so ``ps -ef`` lists the run's
  processes only, and every process of the run, ``setsid`` and new process groups included,
  is killed by the kernel when the run's first process exits (``unshare --kill-child``);
* the root is entered with ``pivot_root`` and the machine's root is detached, so nothing of
  the machine outside these layers is reachable (a ``chroot`` could be left).

The harness edits the upper layers from outside while the driver runs (``update_etc``,
``add_dev_node``, the trees of :mod:`simulator.harness.mounts`).  It never follows a link
the driver planted: :meth:`Sandbox.host_path` resolves a path *inside the driver's view*
(a link ``/etc/dumpdates -> /root/secret`` leads to the view's ``/root/secret``, which is in
the run's upper layer of ``/root``), the result is always inside the run's directory (or one
of the pass-through devices ``/dev/null``...), and every file the harness writes is reached
by an ``O_NOFOLLOW`` walk from the run's directory, so a component swapped for a link in
between is refused, not followed.  The files the driver leaves in its view are listed in
``left`` and a report note when the sandbox closes, and copied to ``keep_dir`` when one is
given.

Two methods, picked automatically by a quick probe:

* ``unshare`` (preferred): ``unshare --user --map-root-user --mount --pid --fork
  --kill-child`` and real overlayfs/bind mounts made by a small setup script inside the
  namespaces (its mounts and pivot_root made in one process by ``csrc/svmsim_setup.c``
  from a plan, :meth:`Sandbox._mount_plan`; by mount(8), one exec a mount, where no C
  compiler built it).  The namespaces die with their last process: nothing is left
  mounted.
* ``proot``: when user namespaces are refused, the same view made of ``proot -b``
  bindings, with weaker guarantees (a note says so in the report): ``/tmp``, ``/var/tmp``,
  ``/export``, ``/backup``, the mount points and the files of ``/usr`` and ``/etc`` are the
  run's own, but the other directories -- ``$HOME`` and the working directory included --
  are the machine's, writable with the uid's rights; there is no PID namespace (``ps``
  shows the machine's processes, and a child that leaves the process group survives);
  new files under ``/usr`` and ``/etc`` can only appear in directories that do not exist on
  the machine (e.g. ``/etc/lvm``).

When the harness runs as root it first drops to uid/gid 65534 (Popen's
``user``/``group``; no supplementary groups), so the driver, which sees
itself as uid 0, can never write the host as real root.  The sandbox tree is
mode 0700 and chowned to that uid.  A driver file named on the command line that the uid
cannot read is copied, mode 0400 in a 0700 directory of the run, to
``/usr/lib/svmsim/inputs`` in the view and its argv entry rewritten.  So a root run works
from a checkout only root can read (mode 0700, as CI clones often are): the shim, the
virtual-time library and the Python shim client are copied into the sandbox, and a working
directory the uid cannot enter becomes ``/`` with a line in ``notes`` for the report --
never on the driver's stderr, which is the driver's own, byte for byte.  (Files a driver
opens by itself from such a directory stay out of reach, as they would for that uid on the
host.)

Inside, ``PATH`` starts with ``/usr/lib/svmsim/bin`` (one shim per command
name), and ``SVMSIM_SOCKET``, ``SVMSIM_CLOCK`` and ``LD_PRELOAD`` (the
virtual-time library, when it was built) are set; ``TZ`` passes unchanged.
So that a script running ``env -i ...`` still reaches the simulation, the
sandbox's ``/etc/ld.so.preload`` names the library too, and
``/usr/lib/svmsim/run/svmsim.{sock,clock}`` (the clients' compiled-in
fallbacks) are symlinks to the real socket and clock file, whose directory is bound into
the view at its own path.

Limits: device nodes are symlinks to character devices (``/dev/null`` by
default), so ``[ -c ]`` holds but ``[ -b ]`` does not.  A file that did not exist in an
overlaid tree when the driver first looked it up may stay invisible (overlayfs caches the
miss; under proot only seeded files and directories new to the host are bound): seed every
file the harness will update in ``etc_files``.  The run's first process is a shell waiting
for the driver (PID 1 of the namespace ignores signals it has no handler for, which a
driver must not): a driver killed by signal N therefore exits 128+N, as a shell reports it.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import select
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal

from simulator.core.errors import Error
from simulator.harness import build
from simulator.harness import protocol as P

Method = Literal["unshare", "proot"]
METHODS: tuple[Method, ...] = ("unshare", "proot")
SHIM_DIR = "/usr/lib/svmsim"
SHIM_BIN = SHIM_DIR + "/bin"
STANDARD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
UNPRIVILEGED_ID = 65534
DEV_DEVICES = ("null", "zero", "full", "random", "urandom", "tty", "ptmx")
_SCRUBBED_ENV = ("LD_PRELOAD", "PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP")
_OVERLAY_BAD_CHARS = set(",:\\\n\t ")
_PROBE_CACHE: dict[tuple[int, int], str | None] = {}
_PENDING: dict[tuple[int, int], _Probe] = {}    # started by start_probe, not yet asked


# How long a shim call that arrives before the driver's pid is known here waits for it
# (Sandbox.driver_pid): the gap is one thread's scheduling, a few ms even on a loaded machine.
DRIVER_START_WAIT = 10.0


class SandboxError(Error, RuntimeError):
    """A sandbox problem, with a one-line message meant for the user."""


class SandboxResult(subprocess.CompletedProcess[Any]):
    """``CompletedProcess`` plus how the run went."""

    def __init__(
        self,
        args: list[str],
        returncode: int,
        stdout: Any,
        stderr: Any,
        *,
        timed_out: bool,
        method: Method,
    ) -> None:
        super().__init__(args, returncode, stdout, stderr)
        self.timed_out = timed_out
        self.method = method


# -- helpers ------------------------------------------------------------------
def _ids() -> tuple[int, int, bool]:
    """(uid, gid) the driver runs as on the host, and whether we must drop root."""
    if os.geteuid() == 0:
        return UNPRIVILEGED_ID, UNPRIVILEGED_ID, True
    return os.getuid(), os.getgid(), False


def _allowed(st: os.stat_result, uid: int, gid: int, bits: int) -> bool:
    """Whether uid/gid (no supplementary groups) has ``bits`` (r=4 w=2 x=1)."""
    if uid == 0:
        return True
    if st.st_uid == uid:
        mode = st.st_mode >> 6
    elif st.st_gid == gid:
        mode = st.st_mode >> 3
    else:
        mode = st.st_mode
    return (mode & bits) == bits


def reachable(path: str | os.PathLike[str], uid: int, gid: int, bits: int = 4) -> bool:
    """Whether ``uid`` can reach ``path`` (x on every ancestor) with ``bits`` on it: both
    by the path as named and by the path its links resolve to (``drivers/x.sh`` in a 0700
    directory, ``drivers`` a link to a readable checkout, cannot be reached as named, and
    the sandbox's bind of it would fail as the uid)."""
    real = Path(os.path.realpath(path))
    named = Path(os.path.abspath(path))
    try:
        for parent in [*reversed(named.parents), *reversed(real.parents)]:
            if not _allowed(parent.stat(), uid, gid, 1):
                return False
        return _allowed(real.stat(), uid, gid, bits)
    except OSError:
        return False


def _rmtree(path: Path) -> None:
    """Remove a tree even where overlayfs left mode-000 work directories."""

    def retry(func: Any, p: str, _exc: Any) -> None:
        with contextlib.suppress(OSError):
            os.chmod(os.path.dirname(p), 0o700)
            if os.path.isdir(p) and not os.path.islink(p):
                os.chmod(p, 0o700)
                shutil.rmtree(p, ignore_errors=True)
            else:
                func(p)

    if path.exists() or path.is_symlink():
        if sys.version_info >= (3, 12):
            shutil.rmtree(path, onexc=retry)
        else:
            shutil.rmtree(path, onerror=retry)


def _chown_tree(path: Path, uid: int, gid: int, skip: set[str] | frozenset[str] = frozenset()
                ) -> None:
    """Give everything under ``path`` to ``uid``:``gid``, not going into the directories
    in ``skip`` (trees made already owned by them: a mounted file system's files).

    Walked by descriptors (``*at`` calls from a directory opened with ``O_NOFOLLOW``, no
    path joined or resolved again for each of the run's ~500 files), no link followed; a
    directory that cannot be read is passed over, as ``os.walk`` would."""
    os.lchown(path, uid, gid)

    def walk(fd: int, here: str) -> None:
        try:
            with os.scandir(fd) as it:
                found = [(e.name, e.is_dir(follow_symlinks=False)) for e in it]
        except OSError:
            return
        for name, is_dir in found:
            os.chown(name, uid, gid, dir_fd=fd, follow_symlinks=False)
            if is_dir and f"{here}/{name}" not in skip:
                try:
                    sub = os.open(name, DIR_FLAGS, dir_fd=fd)
                except OSError:
                    continue
                try:
                    walk(sub, f"{here}/{name}")
                finally:
                    os.close(sub)

    try:
        top = os.open(path, DIR_FLAGS)
    except OSError:
        return
    try:
        walk(top, os.fspath(path))
    finally:
        os.close(top)


def _wait_exit(proc: subprocess.Popen[bytes], timeout: float | None) -> None:
    """``proc.wait(timeout)`` without its polling: Popen sleeps up to 50 ms between looks,
    which every run paid at its end. A pidfd (Linux 5.3) becomes readable the moment the
    process exits. Raises ``subprocess.TimeoutExpired`` as ``wait`` does."""
    try:
        pidfd = os.pidfd_open(proc.pid)
    except (AttributeError, OSError):
        proc.wait(timeout)
        return
    try:
        if not select.select([pidfd], [], [], timeout)[0]:
            raise subprocess.TimeoutExpired(proc.args, timeout or 0.0)
    finally:
        os.close(pidfd)
    proc.wait()


def scratch_base() -> str:
    """Where a run's private root is made by default: ``$TMPDIR`` when the user set it, else
    ``/dev/shm`` when it is a writable tmpfs, else the temp dir.

    Why tmpfs: a scenario's mounted trees are thousands of (sparse, empty) files made for
    every run; on this project's CI disk an ``O_CREAT`` costs ~0.9 ms on ext4 and ~8 µs on
    tmpfs, which is the difference between a 2 s and a 0.3 s run. What a driver writes in
    its view then lives in memory until the run ends (the sandbox is removed with it).
    """
    if os.environ.get("TMPDIR"):
        return tempfile.gettempdir()
    try:
        with open("/proc/self/mounts", encoding="utf-8", errors="replace") as f:
            shm = any(line.split()[1:3] == ["/dev/shm", "tmpfs"] for line in f)
    except OSError:
        shm = False
    if shm and os.access("/dev/shm", os.W_OK | os.X_OK):
        return "/dev/shm"
    return tempfile.gettempdir()


def probe_unshare(scratch: Path | None = None) -> str | None:
    """None if a user+mount namespace with overlayfs works here, else why not.

    Runs as the uid the driver would run as, with the overlay's upper layer
    on the file system of ``scratch`` (where the sandbox will keep it). The answer is
    kept for the process; a probe :func:`start_probe` began is collected, not run again.
    """
    unshare = shutil.which("unshare")
    if unshare is None:
        return "unshare(1) is not installed"
    key, base = _probe_site(scratch)
    if key in _PROBE_CACHE:
        return _PROBE_CACHE[key]
    probe = _PENDING.pop(key, None) or _Probe(unshare, base)
    result = _PROBE_CACHE[key] = probe.finish()
    return result


def _probe_site(scratch: Path | None) -> tuple[tuple[int, int], Path]:
    """Where a probe for a sandbox in ``scratch`` is made, and what its answer holds for:
    the uid the driver runs as and that file system."""
    base = Path(scratch or scratch_base())
    return (_ids()[0], base.stat().st_dev if base.exists() else 0), base


def start_probe(scratch: Path | None = None) -> None:
    """Begin :func:`probe_unshare`'s probe now, in the background, for the first sandbox
    made on the file system of ``scratch`` to collect. Why: the probe is a process of its
    own (``unshare`` and a shell, some 15 ms of waiting); started before the ``svmsim
    run`` command imports the simulator, it runs on another core meanwhile instead of
    after. A probe nobody collects is ended and removed at exit."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return
    key, base = _probe_site(scratch)
    if key in _PROBE_CACHE or key in _PENDING:
        return
    try:
        probe = _Probe(unshare, base)
    except OSError:
        return      # not now: the sandbox will probe (and say what fails) the usual way
    atexit.unregister(_drop_pending)     # registered once
    atexit.register(_drop_pending)
    _PENDING[key] = probe


class _Probe:
    """The probe's process (already started) and its scratch directory; :meth:`finish`
    gives :func:`probe_unshare`'s answer."""

    def __init__(self, unshare: str, base: Path) -> None:
        uid, gid, drop = _ids()
        self.proc: subprocess.Popen[str] | None = None
        self.failed: str | None = None
        tmp = self.tmp = Path(tempfile.mkdtemp(prefix=".svmsim-probe-",
                                               dir=base if base.exists() else None))
        try:
            for d in ("lower", "upper", "work", "mnt", "t"):
                (tmp / d).mkdir()
            (tmp / "f").touch()
            if drop:
                _chown_tree(tmp, uid, gid)
            script = (
                f"mount -t overlay probe -o lowerdir={tmp}/lower,upperdir={tmp}/upper,"
                f"workdir={tmp}/work {tmp}/mnt && mount -t tmpfs probe {tmp}/t"
                f" && mount --bind /dev/null {tmp}/f"
            )
            kwargs: dict[str, Any] = ({"user": uid, "group": gid, "extra_groups": []}
                                      if drop else {})
            try:
                self.proc = subprocess.Popen(
                    [
                        unshare,
                        "--user",
                        "--map-root-user",
                        "--mount",
                        "--pid",
                        "--fork",
                        "--kill-child",
                        "--propagation",
                        "private",
                        "/bin/sh",
                        "-c",
                        script,
                    ],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    **kwargs,
                )
            except (OSError, subprocess.SubprocessError) as exc:
                self.failed = f"unshare failed: {exc}"
        except BaseException:
            _rmtree(tmp)
            raise
        if self.proc is None:
            _rmtree(tmp)

    def finish(self) -> str | None:
        """Wait for the probe (20 s at most, as ``subprocess.run(timeout=20)``) and remove
        its directory: None if it worked, else the reason."""
        proc = self.proc
        if proc is None:
            return self.failed
        try:
            try:
                _out, err = proc.communicate(timeout=20)
            except subprocess.TimeoutExpired as exc:
                proc.kill()
                proc.communicate()
                return f"unshare failed: {exc}"
            except BaseException:     # as subprocess.run: the probe does not outlive us
                proc.kill()
                proc.wait()
                raise
            lines = (err or "").strip().splitlines()
            return (
                None
                if proc.returncode == 0
                else (lines[-1] if lines else f"exit {proc.returncode}")
            )
        finally:
            _rmtree(self.tmp)

    def abandon(self) -> None:
        """End the probe unread and remove its directory (no one asked for its answer)."""
        if self.proc is not None:
            with contextlib.suppress(OSError):
                self.proc.kill()
            self.proc.communicate()
            _rmtree(self.tmp)


def _drop_pending() -> None:
    while _PENDING:
        _PENDING.popitem()[1].abandon()


def python_for(uid: int, gid: int) -> str:
    """A real python3 ``uid`` can run: this interpreter first, resolved past symlinks (a
    ``python3`` on PATH may be a pyenv shim script, not the interpreter)."""
    for cand in (sys.executable, shutil.which("python3"), "/usr/bin/python3"):
        if cand and os.path.exists(cand) and reachable(cand, uid, gid, 5):
            return os.path.realpath(cand)
    raise SandboxError(f"no python3 that uid {uid} can run (needed for the Python shim client)")


# -- walking the run's directory without following links ------------------------------
DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def open_beneath(base: Path, path: Path, *, create: bool = False,
                 owner: tuple[int, int] | None = None) -> int:
    """An fd of directory ``path`` (``base`` or below it), reached one component at a time
    with ``O_NOFOLLOW``: a component that is a symbolic link (one the driver planted, or
    swapped in meanwhile) gives ``ELOOP``/``ENOTDIR``, never the link's target.  ``create``
    makes missing directories (mode 0755, given to ``owner``)."""
    rel = path.relative_to(base)
    fd = os.open(base, DIR_FLAGS)
    try:
        for name in rel.parts:
            try:
                nxt = os.open(name, DIR_FLAGS, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    raise
                with contextlib.suppress(FileExistsError):
                    os.mkdir(name, 0o755, dir_fd=fd)
                    if owner is not None:
                        os.chown(name, *owner, dir_fd=fd, follow_symlinks=False)
                nxt = os.open(name, DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = nxt
    except BaseException:
        os.close(fd)
        raise
    return fd


# -- the sandbox -------------------------------------------------------------------
TMP_DIRS = ("/tmp", "/var/tmp")           # fresh, empty, the run's own (mode 1777)
SOLARIS_DIRS = ("/export", "/backup", "/var/adm")   # always in the view (Solaris has them)
ESSENTIAL = ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib64", "/var", "/opt")
_OWN_TOPS = ("proc", "sys", "dev", "tmp", "lost+found")   # never the machine's, in the view
_MAX_LINKS = 40                            # SYMLOOP_MAX, as the kernel's path walk
_INPUTS = SHIM_DIR + "/inputs"
_MAX_LISTED = 20                           # left files named in the report note


class Sandbox:
    """A private root for one driver, reusable for several runs.

    ``commands``: command name -> absolute paths where its shim must appear
    (it always also appears in ``/usr/lib/svmsim/bin``).  ``aliases``: path ->
    real program it is a symlink to (``/usr/xpg4/bin/sh`` -> ``/bin/sh``).
    ``etc_files``: path -> initial content (any path in the view).
    ``dev_nodes``: paths under /dev that must exist as character devices.
    ``env``: variables added to the driver's environment.
    ``directories``: more directories the view must have (simulated mount points).
    ``method``: force "unshare" or "proot"; ``client``: force "c" or "python";
    ``artifacts``: prebuilt C programs (default: ``build.build()``).
    The sandbox's files go in a new ``svmsim-sandbox-*`` directory inside
    ``workdir`` (``root``), or in the temp dir when the unprivileged uid
    cannot reach ``workdir``; ``close()`` removes it, after copying the files the driver
    left to ``keep_dir`` when one is given.  ``socket_path`` and
    ``clock_path`` (default: under ``root/run``) are where the ShimServer
    must listen and publish.  Raises SandboxError (one-line message).
    """

    def __init__(
        self,
        workdir: str | Path,
        commands: Mapping[str, Sequence[str]],
        aliases: Mapping[str, str] | None = None,
        etc_files: Mapping[str, str | bytes] | None = None,
        dev_nodes: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        *,
        directories: Sequence[str] = (),
        method: Method | None = None,
        client: Literal["c", "python"] | None = None,
        artifacts: build.Artifacts | None = None,
        socket_path: str | Path | None = None,
        clock_path: str | Path | None = None,
        keep_dir: str | Path | None = None,
    ) -> None:
        self.uid, self.gid, self._drop = _ids()
        self.notes: list[str] = []   # what the report should say about how the driver ran
        self.left: list[str] = []    # files the driver left in its view (set by close())
        self.keep_dir = Path(keep_dir) if keep_dir else None
        self.pid: int | None = None
        # set once the running driver's first process is known (``pid``): see driver_pid
        self._started = threading.Event()
        # Whether every process of every run so far is known to be gone: unshare exited on
        # its own, which it does after waitpid() of its child, PID 1 of the run's PID
        # namespace, whose exit waits for every other process of the namespace (pid_namespaces
        # (7), zap_pid_ns_processes). Not so after a kill or a timeout (unshare then dies
        # first), nor ever under proot (a driver's child may leave the process group).
        self.ended = self._ended_before = True
        self.env = dict(env or {})
        self._closed = False
        # inside path -> upper layer; the machine's directory under it (None: fresh)
        self._trees: dict[str, Path] = {}
        self._lowers: dict[str, str | None] = {}
        self._binds: dict[str, str] = {}    # inside path -> host path, bound read-only
        self._made: set[str] = set()         # inside paths the harness put in the view
        # directories whose content the harness made already owned by the driver's uid
        # (a mounted file system's tree, fchown'd file by file): not walked again
        self.owned_trees: set[str] = set()
        self._realpaths: dict[str, str] = {}    # the machine's directories, links resolved
        workdir = Path(workdir).absolute()
        try:
            workdir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SandboxError(f"cannot create sandbox workdir {workdir}: {exc.strerror}") from None
        self._own_root = not reachable(workdir, self.uid, self.gid, 5)
        parent = scratch_base() if self._own_root else workdir
        try:
            self.root = Path(tempfile.mkdtemp(prefix="svmsim-sandbox-", dir=parent)).resolve()
        except OSError as exc:
            raise SandboxError(f"cannot create the sandbox in {workdir}: {exc.strerror}") from None
        os.chmod(self.root, 0o700)   # the run's files are the driver's uid's alone
        if self._drop:
            os.chown(self.root, self.uid, self.gid)
        self._run_dir = self.root / "run"
        if not socket_path and (len(str(self._run_dir / "svmsim.sock")) > 100
                                or Path("/dev") in self.root.parents):
            # sun_path holds 108 bytes: a deep workdir gets its socket in /tmp; so does a
            # root in /dev/shm (the view's /dev is its own: the socket is bound elsewhere)
            self._run_dir = Path(tempfile.mkdtemp(prefix="svmsim-run-",
                                                  dir=tempfile.gettempdir()))
        self.socket_path = Path(socket_path) if socket_path else self._run_dir / "svmsim.sock"
        self.clock_path = Path(clock_path) if clock_path else P.clock_path_for(self.socket_path)
        try:
            self._setup(commands, aliases or {}, etc_files or {}, dev_nodes, directories,
                        method, client, artifacts)
        except BaseException:
            self.close()
            raise

    # -- construction ----------------------------------------------------------
    def _setup(
        self,
        commands: Mapping[str, Sequence[str]],
        aliases: Mapping[str, str],
        etc_files: Mapping[str, str | bytes],
        dev_nodes: Sequence[str],
        directories: Sequence[str],
        method: Method | None,
        client: Literal["c", "python"] | None,
        artifacts: build.Artifacts | None,
    ) -> None:
        if any(c in _OVERLAY_BAD_CHARS for c in str(self.root)):
            raise SandboxError(
                f"sandbox directory {self.root} has a character overlayfs cannot take"
                " (, : \\ space)"
            )
        for top in ("/usr", "/etc", "/dev", "/proc", "/sys"):
            if self.root == Path(top) or (Path(top) in self.root.parents
                                          and Path("/dev/shm") not in self.root.parents):
                raise SandboxError(f"the sandbox workdir may not live under {top}")
        self.method: Method = self._pick_method(method)
        self.artifacts = artifacts or build.build()
        if client == "c" and self.artifacts.shim is None:
            raise SandboxError(f"C shim client unavailable: {self.artifacts.problem}")
        self.client: Literal["c", "python"] = client or ("c" if self.artifacts.shim else "python")
        for d in ("run", "upper", "work", "dev", "newroot"):
            (self.root / d).mkdir()
        if self._run_dir != self.root / "run":
            os.chmod(self._run_dir, 0o755)
            if self._drop:
                os.chown(self._run_dir, self.uid, self.gid)
        self._make_root()
        self._install_support()
        self._shim_src = self._upper(f"{SHIM_DIR}/{build.SHIM_NAME}")
        for name, paths in commands.items():
            if not name or "/" in name:
                raise SandboxError(f"bad command name {name!r}")
            self._install_shim(name, self._upper(f"{SHIM_BIN}/{name}"))
            for path in paths:
                self._install_shim(name, self._upper(path))
                self._made.add(self._canonical(path))
        self._made.add(f"{SHIM_BIN}/")
        for path, target in aliases.items():
            dest = self._upper(path)
            self._clear(dest)
            dest.symlink_to(target)
            self._made.add(self._canonical(path))
        for path, content in etc_files.items():
            self._write(self._upper(path), content)
            self._made.add(self._canonical(path))
        for path in directories:
            self.add_directory(path)
        self._make_dev(dev_nodes)
        if self._drop:
            _chown_tree(self.root, self.uid, self.gid)

    def _pick_method(self, method: Method | None) -> Method:
        if method is not None and method not in METHODS:
            raise SandboxError(f"unknown sandbox method {method!r} (use unshare or proot)")
        reason = None if method == "proot" else probe_unshare(self.root)
        if method == "unshare" and reason:
            raise SandboxError(f"user namespaces are not usable here: {reason}")
        if method == "unshare" or (method is None and reason is None):
            return "unshare"
        if shutil.which("proot") is None:
            if method == "proot":
                raise SandboxError("proot is not installed")
            raise SandboxError(
                f"no sandbox method: user namespaces are not usable ({reason})"
                " and proot is not installed"
            )
        return "proot"

    def _make_root(self) -> None:
        """The top of the view: the machine's top-level directories as overlays, its
        top-level links as links, fresh /tmp and /var/tmp, the Solaris directories."""
        newroot = self.root / "newroot"
        with os.scandir("/") as it:
            entries = sorted(it, key=lambda e: e.name)
        for entry in entries:
            name = entry.name
            if any(c in _OVERLAY_BAD_CHARS for c in name):
                continue
            if entry.is_symlink():
                (newroot / name).symlink_to(os.readlink(entry.path))
            elif entry.is_dir(follow_symlinks=False):
                (newroot / name).mkdir()
                if name not in _OWN_TOPS:
                    self._overlay("/" + name, "/" + name)
            self._made.add("/" + name)
        for path in TMP_DIRS:
            self._overlay(path, None)
        for path in SOLARIS_DIRS:
            self.add_directory(path)

    def _overlay(self, inside: str, lower: str | None) -> Path:
        """Make ``inside`` an overlay (lower: the machine's directory, or None for a fresh
        one) whose upper layer is the run's; its mount point is made in the view."""
        n = len(self._trees)
        upper, work = self.root / "upper" / str(n), self.root / "work" / str(n)
        if inside != "/" + inside.strip("/").split("/")[0]:   # nested: make its mount point
            self._view_dir(inside)
        upper.mkdir()
        work.mkdir()
        if lower is None:
            os.chmod(upper, 0o1777 if inside in TMP_DIRS else 0o755)
        else:
            with contextlib.suppress(OSError):
                os.chmod(upper, stat.S_IMODE(os.stat(lower).st_mode))
        self._trees[inside] = upper
        self._lowers[inside] = lower
        return upper

    def _view_dir(self, inside: str) -> None:
        """Make directory ``inside`` (and its parents) in the layer that holds it, unless
        the view has it already."""
        inside = os.path.normpath(inside)
        if self._lookup(inside)[0] is None:
            owner = (self.uid, self.gid) if self._drop else None
            os.close(open_beneath(self._layer_base(inside), self._layer_path(inside),
                                  create=True, owner=owner))
        self._made.add(inside)

    def _canonical(self, path: str, cwd: str = "/") -> str:
        """Absolute, normalised, with the machine's own links in the parents resolved
        (/sbin -> /usr/sbin); for where the harness installs its files, before the run."""
        full = os.path.normpath(os.path.join(cwd, path))
        if full == "/":
            return full
        head, tail = os.path.split(full)
        real = self._realpaths.get(head)
        if real is None:        # the machine's directories: a realpath lstat's every part
            real = self._realpaths[head] = os.path.realpath(head)
        return os.path.join(real, tail)

    def _mount_of(self, inside: str) -> str | None:
        """The innermost overlay holding ``inside`` (a normalised absolute path): the
        longest of its ancestors (itself first) that is an overlay, a dictionary look-up
        each (a sandbox has some 25 overlays and looks up every file it installs)."""
        path = inside
        while path not in self._trees:
            if len(path) <= 1:
                return None
            path = path[: path.rindex("/")] or "/"
        return path

    def _layer_base(self, inside: str) -> Path:
        mp = self._mount_of(inside)
        return self.root / "newroot" if mp is None else self._trees[mp]

    def _layer_path(self, inside: str) -> Path:
        """Where ``inside`` is in the run's own layers (not resolving links)."""
        if inside == "/dev" or inside.startswith("/dev/"):
            return self.root / "dev" / inside[len("/dev/"):]
        mp = self._mount_of(inside)
        if mp is None:
            return self.root / "newroot" / inside.lstrip("/")
        rest = inside[len(mp):].lstrip("/")
        return self._trees[mp] / rest if rest else self._trees[mp]

    def _upper(self, path: str) -> Path:
        if not path.startswith("/"):
            raise SandboxError(f"not an absolute path: {path}")
        canon = self._canonical(path)
        if canon == "/" or canon == "/dev" or canon.startswith("/dev/"):
            raise SandboxError(f"cannot place files at {path}")
        return self._layer_path(canon)

    @staticmethod
    def _clear(dest: Path) -> None:
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.is_symlink() or dest.is_file():
            dest.unlink()

    def _write(self, dest: Path, content: str | bytes) -> None:
        self._clear(dest)
        dest.write_bytes(content.encode() if isinstance(content, str) else content)

    def _install_support(self) -> None:
        lib = self._upper(SHIM_DIR)
        (lib / "bin").mkdir(parents=True)
        self._made.add(SHIM_DIR + "/")
        if self.artifacts.shim is not None:
            shutil.copy2(self.artifacts.shim, lib / build.SHIM_NAME)
        if self.artifacts.preload is not None:
            shutil.copy2(self.artifacts.preload, lib / build.PRELOAD_NAME)
        shutil.copy2(Path(__file__).with_name("shim_client.py"), lib / "shim_client.py")
        self._python = python_for(self.uid, self.gid) if self.client == "python" else ""
        # Fixed paths the clients fall back to when a script clears its environment.
        self._upper(P.DEFAULT_SOCKET).parent.mkdir()
        self._upper(P.DEFAULT_SOCKET).symlink_to(self.socket_path)
        self._upper(P.DEFAULT_CLOCK).symlink_to(self.clock_path)
        if self.artifacts.preload is not None:
            # Honoured by ld.so even when LD_PRELOAD was removed from the environment.
            lines = [f"{SHIM_DIR}/{build.PRELOAD_NAME}"]
            with contextlib.suppress(OSError):
                lines += Path("/etc/ld.so.preload").read_text().split()
            self._write(self._upper("/etc/ld.so.preload"), "\n".join(lines) + "\n")
            self._made.add("/etc/ld.so.preload")

    def _install_shim(self, name: str, dest: Path) -> None:
        if self.client == "c":
            src = self._shim_src
            try:    # the common case: a new name in a directory that exists
                os.link(src, dest)
                return
            except OSError:
                pass
            self._clear(dest)
            try:
                os.link(src, dest)
            except OSError:
                shutil.copy2(src, dest)
            return
        self._clear(dest)
        dest.write_text(
            f'#!/bin/sh\nexec {self._python} -IS {SHIM_DIR}/shim_client.py "$0" "$@"\n'
        )
        dest.chmod(0o755)

    def _make_dev(self, dev_nodes: Sequence[str]) -> None:
        dev = self.root / "dev"
        for name in ("pts", "shm"):
            (dev / name).mkdir()
        for name in DEV_DEVICES:
            host = Path("/dev") / name
            if host.is_symlink():
                (dev / name).symlink_to(os.readlink(host))
            elif host.exists() and stat.S_ISCHR(host.stat().st_mode):
                (dev / name).touch()
        with contextlib.suppress(OSError):
            for entry in os.scandir("/dev"):
                if entry.is_symlink() and not (dev / entry.name).exists():
                    (dev / entry.name).symlink_to(os.readlink(entry.path))
        # Each node's directory reached once (O_NOFOLLOW, as _dev_link: /dev holds the
        # machine's links, /dev/fd...), a symlinkat(2) per node; owned by the driver's uid
        # with the rest at the end of _setup. A name taken already: the careful way.
        owner = (self.uid, self.gid) if self._drop else None
        parents: dict[Path, int | None] = {}
        try:
            for node in dev_nodes:
                dest = self._dev_path(node)
                if dest.parent not in parents:
                    try:
                        parents[dest.parent] = open_beneath(dev, dest.parent, create=True,
                                                            owner=owner)
                    except OSError:
                        parents[dest.parent] = None
                fd = parents[dest.parent]
                try:
                    if fd is None:
                        raise FileNotFoundError(dest)
                    os.symlink("/dev/null", dest.name, dir_fd=fd)
                except OSError:
                    self._dev_link(node, "/dev/null")
        finally:
            for fd in parents.values():
                if fd is not None:
                    os.close(fd)

    def _dev_path(self, path: str) -> Path:
        canon = os.path.normpath(path)
        if not canon.startswith("/dev/") or canon.count("/") < 2:
            raise SandboxError(f"device node {path} is not under /dev")
        return self.root / "dev" / canon[len("/dev/") :]

    def _dev_link(self, path: str, target: str) -> Path | None:
        """Make the node a symlink to ``target``; None when a component of its directory
        is not a directory of the harness's /dev any more (the driver replaced it, e.g.
        with a link to a directory of the machine): the node is then not made."""
        dest = self._dev_path(path)
        owner = (self.uid, self.gid) if self._drop else None
        try:
            fd = open_beneath(self.root / "dev", dest.parent, create=True, owner=owner)
        except OSError:
            return None
        try:
            tmp = f".{dest.name}.svmsim-new"
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp, dir_fd=fd)
            os.symlink(target, tmp, dir_fd=fd)
            if owner is not None:
                os.chown(tmp, *owner, dir_fd=fd, follow_symlinks=False)
            os.replace(tmp, dest.name, src_dir_fd=fd, dst_dir_fd=fd)
        except OSError:
            return None
        finally:
            os.close(fd)
        return dest

    # -- the view, for one run -------------------------------------------------------
    def add_directory(self, path: str) -> None:
        """Make directory ``path`` exist in the driver's view (a simulated mount point such
        as ``/home1`` or ``/export/home``), in the run's own layers.  Before a run: any
        path; during one: it appears when its top-level directory is already shown."""
        canon = os.path.normpath(path)
        if canon.startswith("/") and canon != "/" and canon.split("/")[1] not in _OWN_TOPS[:3]:
            self._view_dir(canon)

    def _visible(self, host: str) -> bool:
        """Whether the machine's ``host`` path shows in the view (at the same path, links
        resolved in the view: ``/bin/sh`` is the machine's ``/usr/bin/sh``)."""
        where = self._lookup(self.resolve(host) or host)[0]
        return where is not None and self.root not in where.parents and where != self.root

    def _show_machine_dir(self, host: str, fresh: bool = False) -> None:
        """The working directory, $HOME or a directory named on the command line, lying in
        a fresh directory (a pytest tmp_path): an overlay of its own, the machine's files
        below, the driver's writes the run's.  ``fresh``: a $HOME the uid cannot enter
        (``/root`` of a root harness) is an empty one of the run's."""
        if host in ("/", *TMP_DIRS) or not os.path.isdir(host) \
                or any(c in _OVERLAY_BAD_CHARS for c in host) \
                or host.split("/")[1] in _OWN_TOPS[:3]:
            return
        if fresh:
            if self.method == "unshare" and self._lowers.get(host, "") is not None:
                if host in self._trees:
                    self._lowers[host] = None
                    os.chmod(self._trees[host], 0o755)
                else:
                    self._overlay(host, None)
            return
        if self._visible(host) or self._mount_of(host) == host:
            return
        if self.method == "proot":
            self._binds[host] = host
            self.notes.append(f"{host} is this machine's directory, shown as it is (proot has"
                              " no overlays): the driver's writes there reach the machine")
            return
        self._overlay(host, host)

    def _prepare_argv(self, argv: list[str], cwd: str) -> list[str]:
        """Driver files named on the command line: a copy for the uid when it cannot read
        them (root harness), a read-only binding when they would not be visible."""
        out = []
        for i, arg in enumerate(argv):
            full = os.path.normpath(os.path.join(cwd, arg)) if arg else ""
            if full and os.path.isfile(full) and not os.path.islink(full) and self._drop \
                    and not reachable(full, self.uid, self.gid, 4):
                inside = f"{_INPUTS}/{i}/{os.path.basename(full)}"
                dest = self._upper(inside)
                dest.parent.mkdir(parents=True, exist_ok=True)
                for d in (dest.parent.parent, dest.parent):
                    os.chmod(d, 0o700)
                    os.chown(d, self.uid, self.gid)
                shutil.copyfile(full, dest)
                os.chmod(dest, 0o400)
                os.chown(dest, self.uid, self.gid)
                self._made.add(inside)
                arg = inside
            elif full and os.path.isdir(full):
                self._show_machine_dir(full)
            elif full and os.path.isfile(full) and not self._visible(full) \
                    and full not in self._binds \
                    and not any(c in _OVERLAY_BAD_CHARS for c in full) \
                    and full.split("/")[1] not in _OWN_TOPS[:3]:
                self._bind_point(full)
            out.append(arg)
        return out

    def _bind_point(self, host: str) -> None:
        """Make the mount point of a read-only binding of file ``host`` at its own path."""
        if self._lookup(host)[0] is None:
            self._view_dir(os.path.dirname(host))
            dest = self._layer_path(host)
            dest.touch()
            if self._drop:
                os.lchown(dest, self.uid, self.gid)
        self._made.add(host)
        self._binds[host] = host

    def _mount_plan(self) -> list[tuple[str, str, str, str, str, str]]:
        """The view's mounts and its pivot_root, in order: (op, source, target, fstype,
        data, on failure), as ``csrc/svmsim_setup.c`` reads them (its comment says what
        each op and failure mean); :meth:`_shell_steps` says the same with mount(8)."""
        r = self.root
        new = r / "newroot"
        plan = [("bind", str(new), str(new), "", "", "bind the new root")]
        for inside in sorted(self._trees):   # a parent before the mounts in it
            upper, lower = self._trees[inside], self._lowers[inside]
            work = r / "work" / upper.name
            lowerdir = lower if lower is not None else str(r / "work" / f"{upper.name}.empty")
            if lower is None:
                Path(lowerdir).mkdir(exist_ok=True)
            opts = f"lowerdir={lowerdir},upperdir={upper},workdir={work}"
            # A machine's directory overlayfs refuses (one holding mounts it may not show,
            # e.g.) stays an empty directory of the view; the ones the driver needs may not.
            needed = inside in ESSENTIAL or lower != inside or inside.count("/") > 1
            plan.append(("mount", "svmsim", f"{new}{inside}", "overlay", opts,
                         f"overlay on {inside}" if needed else ""))
        for name in DEV_DEVICES:
            target = r / "dev" / name
            if target.is_file() and not target.is_symlink():
                plan.append(("bind", f"/dev/{name}", str(target), "", "", f"bind /dev/{name}"))
        if os.path.isdir("/dev/pts"):
            plan.append(("rbind", "/dev/pts", f"{r}/dev/pts", "", "", "bind /dev/pts"))
        plan.append(("mount", "svmsim", f"{r}/dev/shm", "tmpfs", "mode=1777",
                     "tmpfs on /dev/shm"))
        plan.append(("rbind", f"{r}/dev", f"{new}/dev", "", "", "bind /dev"))
        plan.append(("mount", "svmsim", f"{new}/proc", "proc", "", "|"))
        plan.append(("rbind", "/proc", f"{new}/proc", "", "", "proc"))
        plan.append(("rbind", "/sys", f"{new}/sys", "", "", ""))
        for d in sorted({self.socket_path.parent, self.clock_path.parent}):
            plan.append(("bind", str(d), f"{new}{d}", "", "", f"bind {d}"))
        for inside, host in sorted(self._binds.items()):
            plan.append(("bind", host, f"{new}{inside}", "", "", f"bind {host}"))
            plan.append(("ro", "", f"{new}{inside}", "", "", f"bind {host}"))
        plan.append(("pivot", "", str(new), "", "", "pivot_root"))
        return plan

    @staticmethod
    def _shell_steps(plan: list[tuple[str, str, str, str, str, str]]) -> list[str]:
        """:meth:`_mount_plan` as mount(8) commands, for a machine without the helper."""
        # After pivot_root the view's /usr is searched: name the machine's umount by its
        # real path (a Solaris path such as /usr/sbin/umount is a shim there).
        umount = os.path.realpath(shutil.which("umount", path=STANDARD_PATH) or "/bin/umount")
        steps: list[tuple[str, str]] = []     # (commands, what follows them on failure)
        alternative = False
        for op, src, target, fstype, data, on_failure in plan:
            cmd = {"bind": f"mount --bind '{src}' '{target}'",
                   "rbind": f"mount --rbind '{src}' '{target}'",
                   "mount": f"mount -t {fstype} {src}" + (f" -o '{data}'" if data else "")
                            + f" '{target}'",
                   "ro": f"mount -o remount,bind,ro '{target}'",
                   "pivot": f"cd '{target}' && pivot_root . . && '{umount}' -l ."}[op]
            if alternative:                  # this one runs when the one before failed
                cmd = "".join(steps.pop()) + f" || {cmd}"
            elif op == "ro":                 # after its bind: both, or the bind's failure
                cmd = steps.pop()[0] + f" && {cmd}"
            alternative = on_failure == "|"
            steps.append((cmd, " 2>/dev/null" if alternative else
                          f" || fail '{on_failure}'" if on_failure else " 2>/dev/null || true"))
        return ["".join(step) for step in steps]

    def _write_setup_script(self) -> None:
        r = self.root
        lines = [
            "# svmsim sandbox setup: runs inside fresh user, mount and PID namespaces.",
            'fail() { echo "svmsim: sandbox setup failed: $*" >&2; exit 125; }',
            # the machine's tools for the setup, the driver's PATH (shims first) for it
            f'svmsim_path=$PATH; PATH={STANDARD_PATH}',
            "cd /",
        ]
        plan = self._mount_plan()
        if self.artifacts.setup is not None:
            # every mount in one process (csrc/svmsim_setup.c): one exec, not one a mount
            helper = r / build.SETUP_NAME
            shutil.copy2(self.artifacts.setup, helper)
            (r / "mounts.plan").write_bytes(b"".join(
                b"".join(f.encode("utf-8", "surrogateescape") + b"\0" for f in record)
                for record in plan))
            lines.append(f"'{helper}' '{r}/mounts.plan' || exit $?")
        else:
            lines += self._shell_steps(plan)
        lines += [
            'cd -- "$1" 2>/dev/null || cd /',
            "shift",
            'PATH=$svmsim_path; unset svmsim_path',
        ]
        if self.artifacts.preload is not None:
            lines.append(
                f'LD_PRELOAD="{SHIM_DIR}/{build.PRELOAD_NAME}${{LD_PRELOAD:+:$LD_PRELOAD}}"'
            )
            lines.append("export LD_PRELOAD")
        # PID 1 of the namespace waits for the driver: when it exits, every process of the
        # run is killed by the kernel.
        lines.append('"$@"')
        lines.append("exit $?")
        script = self.root / "setup.sh"
        script.write_text("\n".join(lines) + "\n")
        if self._drop:
            _chown_tree(self.root, self.uid, self.gid, self.owned_trees)

    def _compute_proot_binds(self) -> list[tuple[Path, str]]:
        binds: list[tuple[Path, str]] = [(self.root / "dev", "/dev")]
        for name in DEV_DEVICES:
            target = self.root / "dev" / name
            if target.is_file() and not target.is_symlink():
                binds.append((Path("/dev") / name, f"/dev/{name}"))
        if os.path.isdir("/dev/pts"):
            binds.append((Path("/dev/pts"), "/dev/pts"))

        def walk(upper: Path, guest: str) -> Iterator[tuple[Path, str]]:
            for entry in sorted(os.scandir(upper), key=lambda e: e.name):
                g = f"{guest}/{entry.name}"
                if (
                    entry.is_dir(follow_symlinks=False)
                    and os.path.isdir(g)
                    and not os.path.islink(g)
                ):
                    yield from walk(Path(entry.path), g)
                else:
                    yield Path(entry.path), g

        for entry in sorted(os.scandir(self.root / "newroot"), key=lambda e: e.name):
            if not os.path.lexists("/" + entry.name):    # /export, /backup, /home1...
                binds.append((Path(entry.path), "/" + entry.name))
        for inside in sorted(self._trees):
            upper = self._trees[inside]
            if self._lowers[inside] is None:
                binds.append((upper, inside))
            else:
                binds.extend(walk(upper, inside))
        for d in sorted({self.socket_path.parent, self.clock_path.parent}):
            binds.append((d, str(d)))
        binds.extend((Path(host), inside) for inside, host in sorted(self._binds.items()))
        return binds

    # -- harness-side access -----------------------------------------------------
    def _lookup(self, inside: str) -> tuple[Path | None, str | None]:
        """(where ``inside`` is, a link's target) in the view, without following it:
        the run's layer first, then the machine's directory under an overlay."""
        own = self._layer_path(inside)
        try:
            st = os.lstat(own)
        except OSError:
            st = None
        if st is not None:
            if stat.S_ISCHR(st.st_mode) and st.st_rdev == 0:
                return None, None   # an overlay whiteout: the driver removed it
            return own, os.readlink(own) if stat.S_ISLNK(st.st_mode) else None
        mp = self._mount_of(inside)
        lower = self._lowers.get(mp) if mp is not None else None
        if lower is None or mp is None:
            return None, None
        host = lower + inside[len(mp):]
        if not os.path.lexists(host):
            return None, None
        return Path(host), os.readlink(host) if os.path.islink(host) else None

    def resolve(self, path_inside: str, cwd_inside: str = "/") -> str | None:
        """The path the driver's ``path_inside`` names once every link is resolved *in the
        driver's view* (as ``openat2(RESOLVE_IN_ROOT)`` would with the view as root); None
        for a loop of links."""
        todo = [p for p in os.path.join(cwd_inside, path_inside).split("/") if p]
        done = "/"
        links = 0
        while todo:
            name = todo.pop(0)
            if name == ".":
                continue
            if name == "..":
                done = os.path.dirname(done)
                continue
            cand = os.path.join(done, name)
            if cand.startswith("/dev/") and cand.split("/")[2] in DEV_DEVICES + ("pts",) \
                    and not os.path.islink(self._layer_path(cand)):
                done = cand
                continue
            _where, target = self._lookup(cand)
            if target is None:
                done = cand
                continue
            links += 1
            if links > _MAX_LINKS:
                return None
            todo = [p for p in target.split("/") if p] + todo
            if target.startswith("/"):
                done = "/"
        return done

    def host_path(self, path_inside: str, cwd_inside: str = "/") -> Path:
        """Where the harness reads/writes what the driver sees at ``path_inside``: always in
        the run's own directory (or a pass-through device such as ``/dev/null``), with the
        links on the way resolved in the driver's view, never on this machine."""
        canon = self.resolve(path_inside, cwd_inside)
        if canon is None:   # a loop of links: a path that is not there
            return self.root / "upper" / ".svmsim-too-many-links"
        if canon.startswith("/dev/"):
            first = canon.split("/")[2]
            if first in DEV_DEVICES or first == "pts":
                return Path(canon)
        return self._layer_path(canon)

    def update_etc(self, path: str, content: str | bytes) -> None:
        """Replace the content of a file of the view (keeping its inode) while the driver
        runs.  The file is reached with ``O_NOFOLLOW`` from the run's directory: a link the
        driver planted leads to its target in the view, never out of the run."""
        dest = self.host_path(path)
        base = self.root
        if base not in dest.parents:
            raise SandboxError(f"update_etc({path}): not a file of the run's view")
        data = content.encode() if isinstance(content, str) else content
        owner = (self.uid, self.gid) if self._drop else None
        self._made.add(self.resolve(path) or path)
        try:
            dfd = open_beneath(base, dest.parent, create=True, owner=owner)
        except OSError:
            return   # a component is the driver's link or file: not followed, not written
        try:
            try:
                fd = os.open(dest.name, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC,
                             0o644, dir_fd=dfd)
            except OSError:
                return
            try:
                st = os.fstat(fd)
                if not stat.S_ISREG(st.st_mode):
                    return
                self._write_all(fd, data)
                os.ftruncate(fd, len(data))
                if owner is not None and st.st_uid != self.uid:
                    os.fchown(fd, *owner)
            finally:
                os.close(fd)
        finally:
            os.close(dfd)

    @staticmethod
    def _write_all(fd: int, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]

    def add_dev_node(self, path: str, target: str = "/dev/null") -> None:
        """Make ``path`` (under /dev) appear inside, as a symlink to ``target``."""
        self._dev_link(path, target)

    def remove_dev_node(self, path: str) -> None:
        """Remove a node the harness made; anything else the driver put there stays."""
        dest = self._dev_path(path)
        try:
            fd = open_beneath(self.root / "dev", dest.parent)
        except OSError:
            return
        try:
            if stat.S_ISLNK(os.stat(dest.name, dir_fd=fd, follow_symlinks=False).st_mode):
                os.unlink(dest.name, dir_fd=fd)
        except OSError:
            pass
        finally:
            os.close(fd)

    # -- running -----------------------------------------------------------------
    def _driver_env(self, env: Mapping[str, str] | None, cwd: str) -> dict[str, str]:
        extra = {**self.env, **(env or {})}
        out = {
            k: v
            for k, v in os.environ.items()
            if k not in _SCRUBBED_ENV and not k.startswith("SVMSIM_")
        }
        out.update(extra)
        out["PATH"] = f"{SHIM_BIN}:{extra.get('PATH', STANDARD_PATH)}"
        out[P.SOCKET_ENV] = str(self.socket_path)
        out[P.CLOCK_ENV] = str(self.clock_path)
        out["PWD"] = cwd
        if self.method == "proot":
            out["SVMSIM_STATX"] = "emulate"
        return out

    def command(self, argv: Sequence[str], cwd: str, extra_preload: str | None = None) -> list[str]:
        """The host command line that runs ``argv`` inside the sandbox.

        Our LD_PRELOAD only exists inside, so it is set at the last step
        (setup script, or ``env`` under proot), in front of ``extra_preload``.
        """
        if self.method == "unshare":
            unshare = shutil.which("unshare") or "unshare"
            return [
                unshare, "--user", "--map-root-user", "--mount", "--pid", "--fork",
                "--kill-child", "--propagation", "private",
                "/bin/sh", str(self.root / "setup.sh"), cwd, *argv,
            ]  # fmt: skip
        proot = shutil.which("proot") or "proot"
        cmd = [proot, "-0", "-w", cwd]
        for host, guest in self._compute_proot_binds():
            cmd += ["-b", f"{host}:{guest}"]
        cmd.append("/usr/bin/env")
        preload = [f"{SHIM_DIR}/{build.PRELOAD_NAME}"] if self.artifacts.preload is not None else []
        preload += [extra_preload] if extra_preload else []
        if preload:
            cmd.append("LD_PRELOAD=" + ":".join(preload))
        return [*cmd, *argv]

    def run(
        self,
        argv: Sequence[str],
        stdin: bytes | int | IO[Any] | None = None,
        timeout: float | None = None,
        *,
        capture: bool = False,
        cwd: str | Path | None = None,
        env: Mapping[str, str] | None = None,
        on_start: Callable[[], object] | None = None,
    ) -> SandboxResult:
        """Run the driver inside; stdout/stderr are inherited unless ``capture``.

        ``stdin``: None inherits, bytes are fed through a pipe, an fd or file
        is passed on.  ``timeout`` (real seconds) kills the whole process
        group; the result then has ``timed_out`` set and returncode -9.
        Every process the driver left behind is killed when it exits (the PID namespace;
        under proot, its process group). ``on_start`` is called once the driver's process
        has started, before the wait for it.
        """
        if not argv:
            raise SandboxError("nothing to run")
        if self._drop and not reachable(self.socket_path.parent, self.uid, self.gid, 1):
            raise SandboxError(f"uid {self.uid} cannot reach the shim socket {self.socket_path}")
        host_cwd = os.path.abspath(cwd or os.getcwd())
        inside_cwd = host_cwd if reachable(host_cwd, self.uid, self.gid, 1) else "/"
        if inside_cwd != host_cwd:   # for the report: the driver's stderr is its own
            self.notes.append(f"uid {self.uid} cannot enter {host_cwd}; the driver started in /")
        envp = self._driver_env(env, inside_cwd)
        if inside_cwd != "/":
            self._show_machine_dir(inside_cwd)
        home = os.path.normpath(envp.get("HOME", "") or "/")
        if home != "/":
            self._show_machine_dir(home, fresh=not reachable(home, self.uid, self.gid, 1))
        for d in sorted({self.socket_path.parent, self.clock_path.parent}):
            self._view_dir(str(d))
        args = self._prepare_argv(list(argv), host_cwd)
        if self.method == "unshare":
            self._write_setup_script()
        elif self._drop:
            _chown_tree(self.root, self.uid, self.gid)
        extra_preload = envp.pop("LD_PRELOAD", None) if self.method == "proot" else None
        cmd = self.command(args, inside_cwd, extra_preload)
        feed = stdin if isinstance(stdin, bytes) else None
        kwargs: dict[str, Any] = {
            "env": envp,
            "cwd": "/",
            "stdin": subprocess.PIPE if feed is not None else stdin,
            "stdout": subprocess.PIPE if capture else None,
            "stderr": subprocess.PIPE if capture else None,
            "process_group": 0,
        }
        if self._drop:
            kwargs.update(user=self.uid, group=self.gid, extra_groups=[])
        self._ended_before, self.ended = self.ended, False    # until _collect saw it end
        self._started.clear()
        try:
            proc = subprocess.Popen(cmd, **kwargs)
            self.pid = proc.pid   # the driver's process group, for kill()
            self._started.set()
        except OSError as exc:
            raise SandboxError(
                f"cannot start the sandbox ({self.method}): {exc.strerror or exc}"
            ) from None
        with _foreground(proc.pid, stdin is None):
            if on_start is not None:
                on_start()
            return self._collect(proc, list(argv), feed, timeout)

    def _collect(
        self,
        proc: subprocess.Popen[bytes],
        argv: list[str],
        feed: bytes | None,
        timeout: float | None,
    ) -> SandboxResult:
        out: list[bytes] = []
        err: list[bytes] = []
        threads = []
        for pipe, sink in ((proc.stdout, out), (proc.stderr, err)):
            if pipe is not None:
                threads.append(threading.Thread(target=_drain, args=(pipe, sink), daemon=True))
        if feed is not None and proc.stdin is not None:
            threads.append(threading.Thread(target=_feed, args=(proc.stdin, feed), daemon=True))
        for t in threads:
            t.start()
        timed_out = False
        try:
            _wait_exit(proc, timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            self.ended = self._ended_before and not timed_out and proc.returncode >= 0 \
                and self.method == "unshare"
        for t in threads:
            t.join(timeout=10)
        return SandboxResult(
            argv,
            -signal.SIGKILL if timed_out else proc.returncode,
            b"".join(out) if proc.stdout is not None else None,
            b"".join(err) if proc.stderr is not None else None,
            timed_out=timed_out,
            method=self.method,
        )

    def driver_pid(self, wait: float = DRIVER_START_WAIT) -> int | None:
        """The running driver's first process, for telling a run's shim calls from others'.

        The driver may reach its first fake call before ``Popen`` has returned its pid here:
        the child runs as soon as it is exec'd, and on a loaded machine the thread that
        started it may not run again until the call is waiting. A call then waits for the
        pid (up to ``wait`` real seconds; it is set right after the driver starts) instead
        of being refused as a stranger's, which the driver would see as exit 127. None:
        no driver started (then no call is the run's)."""
        return self.pid if self._started.wait(wait) else None

    def kill(self) -> None:
        """Kill the running driver: its process group, and with it (``--kill-child``) the
        PID namespace's first process, whose exit kills every other process of the run."""
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)

    # -- what the driver left ---------------------------------------------------------
    def _left_files(self) -> list[tuple[str, Path]]:
        """(inside path, where) of every file, link or removal the driver left in the run's
        own layers (not what the harness put there)."""
        layers = [("/", self.root / "newroot")] + [(mp, up) for mp, up in self._trees.items()]
        out: list[tuple[str, Path]] = []
        for inside, layer in layers:
            for dirpath, dirnames, filenames in os.walk(layer):
                here = os.path.normpath(os.path.join(inside, os.path.relpath(dirpath, layer)))
                for name in filenames + [d for d in dirnames
                                         if os.path.islink(os.path.join(dirpath, d))]:
                    path = os.path.join(here, name)
                    if path in self._made or any(path.startswith(m) for m in self._made
                                                 if m.endswith("/")):
                        continue
                    out.append((path, Path(dirpath) / name))
        return sorted(out)

    def _keep_left(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            left = self._left_files()
        except OSError:
            return
        self.left = [p for p, _ in left]
        if not left:
            return
        shown = ", ".join(self.left[:_MAX_LISTED])
        more = f" and {len(left) - _MAX_LISTED} more" if len(left) > _MAX_LISTED else ""
        where = ""
        if self.keep_dir is not None:
            keep = os.path.realpath(self.keep_dir)
            for inside, src in left:
                dest = self.keep_dir / inside.lstrip("/")
                with contextlib.suppress(OSError):
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    if os.path.commonpath([keep, os.path.realpath(dest.parent)]) != keep:
                        continue    # a link the driver left, copied before: never followed
                    st = os.lstat(src)
                    if stat.S_ISREG(st.st_mode):
                        shutil.copy2(src, dest, follow_symlinks=False)
                    elif stat.S_ISLNK(st.st_mode):
                        dest.symlink_to(os.readlink(src))
            where = f", kept in {self.keep_dir}"
        self.notes.append(f"the driver left {len(left)} file{'s' * (len(left) != 1)} in its"
                          f" view{where}: {shown}{more}")

    # -- lifecycle ----------------------------------------------------------------
    def close(self) -> None:
        """List (and keep, with ``keep_dir``) what the driver left, then remove the
        sandbox's files (upper layers, /dev tree, copies)."""
        self._keep_left()
        _rmtree(self.root)
        if self._run_dir != self.root / "run":
            _rmtree(self._run_dir)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _drain(pipe: IO[bytes], sink: list[bytes]) -> None:
    with pipe:
        while chunk := os.read(pipe.fileno(), 65536):
            sink.append(chunk)


def _feed(pipe: IO[bytes], data: bytes) -> None:
    with contextlib.suppress(BrokenPipeError, OSError):
        with pipe:
            pipe.write(data)


@contextlib.contextmanager
def _foreground(pgid: int, inherits_stdin: bool) -> Iterator[None]:
    """Hand the terminal to the driver's process group, as a shell would."""
    fd = 0
    handoff = False
    old_handler: Any = None
    try:
        if (
            inherits_stdin
            and threading.current_thread() is threading.main_thread()
            and os.isatty(fd)
            and os.tcgetpgrp(fd) == os.getpgrp()
        ):
            old_handler = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
            os.tcsetpgrp(fd, pgid)
            handoff = True
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGCONT)
    except OSError:
        pass
    try:
        yield
    finally:
        if handoff:
            with contextlib.suppress(OSError):
                os.tcsetpgrp(fd, os.getpgrp())
            signal.signal(signal.SIGTTOU, old_handler)
