"""Run the site's driver script in a private view of the file system.

Why: the driver calls Solaris commands by absolute path (``/usr/sbin/metastat``,
``/usr/opt/SUNWmd/sbin/metastat``), reads ``/etc/vfstab`` and tests
``[ -c /dev/md/rdsk/d1 ]``.  None of that may touch the host, so the driver
runs where ``/usr``, ``/etc`` (and any other top-level directory a command
path needs) are overlays whose upper layers live in the sandbox directory, and
``/dev`` is a sandbox directory holding symlinks plus bind mounts of the few
real devices shells need.  The harness edits those upper layers from outside
while the driver runs (``update_etc``, ``add_dev_node``).

Two methods, picked automatically by a quick probe:

* ``unshare`` (preferred): ``unshare --user --map-root-user --mount`` and real
  overlayfs/bind mounts made by a small setup script inside the namespace.
  The namespace dies with its last process: nothing is left mounted.
* ``proot``: when user namespaces are refused, the same view made of
  ``proot -b`` bindings (new files can then only appear in directories that
  do not exist on the host, e.g. ``/etc/lvm``).

When the harness runs as root it first drops to uid/gid 65534 (Popen's
``user``/``group``; no supplementary groups), so the driver, which sees
itself as uid 0, can never write the host as real root.  The sandbox tree is
chowned to that uid; driver files it cannot read are copied into the sandbox
and their argv entries rewritten.  So a root run works from a checkout only
root can read (mode 0700, as CI clones often are): the shim, the virtual-time
library and the Python shim client are copied into the sandbox, the driver
script named in argv is copied, and a working directory the uid cannot enter
becomes ``/`` with a line in ``notes`` for the report -- never on the
driver's stderr, which is the driver's own, byte for byte.  (Files a driver
opens by itself from such a directory stay out of reach, as they would for
that uid on the host.)

Inside, ``PATH`` starts with ``/usr/lib/svmsim/bin`` (one shim per command
name), and ``SVMSIM_SOCKET``, ``SVMSIM_CLOCK`` and ``LD_PRELOAD`` (the
virtual-time library, when it was built) are set; ``TZ`` passes unchanged.
So that a script running ``env -i ...`` still reaches the simulation, the
sandbox's ``/etc/ld.so.preload`` names the library too, and
``/usr/lib/svmsim/run/svmsim.{sock,clock}`` (the clients' compiled-in
fallbacks) are symlinks to the real socket and clock file.

Limits: device nodes are symlinks to character devices (``/dev/null`` by
default), so ``[ -c ]`` holds but ``[ -b ]`` does not.  An /etc file that
did not exist when the driver first looked it up may stay invisible (overlayfs
caches the miss; under proot only seeded files and directories new to the
host are bound): seed every file the harness will update in ``etc_files``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
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
ALWAYS_OVERLAID = ("/usr", "/etc")
NEVER_OVERLAID = ("/", "/dev", "/proc", "/sys", "/run", "/tmp")
_SCRUBBED_ENV = ("LD_PRELOAD", "PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP")
_OVERLAY_BAD_CHARS = set(",:\\\n\t ")
_PROBE_CACHE: dict[tuple[int, int], str | None] = {}


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
    """Whether ``uid`` can reach ``path`` (x on every ancestor) with ``bits`` on it."""
    real = Path(os.path.realpath(path))
    try:
        for parent in reversed(real.parents):
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


def _chown_tree(path: Path, uid: int, gid: int) -> None:
    os.lchown(path, uid, gid)
    for dirpath, dirnames, filenames in os.walk(path):
        for name in dirnames + filenames:
            os.lchown(os.path.join(dirpath, name), uid, gid)


def probe_unshare(scratch: Path | None = None) -> str | None:
    """None if a user+mount namespace with overlayfs works here, else why not.

    Runs as the uid the driver would run as, with the overlay's upper layer
    on the file system of ``scratch`` (where the sandbox will keep it).
    """
    uid, gid, drop = _ids()
    unshare = shutil.which("unshare")
    if unshare is None:
        return "unshare(1) is not installed"
    base = Path(scratch or tempfile.gettempdir())
    key = (uid, base.stat().st_dev if base.exists() else 0)
    if key in _PROBE_CACHE:
        return _PROBE_CACHE[key]
    tmp = Path(tempfile.mkdtemp(prefix=".svmsim-probe-", dir=base if base.exists() else None))
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
        kwargs: dict[str, Any] = {"user": uid, "group": gid, "extra_groups": []} if drop else {}
        try:
            proc = subprocess.run(
                [
                    unshare,
                    "--user",
                    "--map-root-user",
                    "--mount",
                    "--propagation",
                    "private",
                    "/bin/sh",
                    "-c",
                    script,
                ],
                capture_output=True,
                text=True,
                timeout=20,
                check=False,
                **kwargs,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            result: str | None = f"unshare failed: {exc}"
        else:
            lines = (proc.stderr or "").strip().splitlines()
            result = (
                None
                if proc.returncode == 0
                else (lines[-1] if lines else f"exit {proc.returncode}")
            )
    finally:
        _rmtree(tmp)
    _PROBE_CACHE[key] = result
    return result


def python_for(uid: int, gid: int) -> str:
    """A real python3 ``uid`` can run: this interpreter first, resolved past symlinks (a
    ``python3`` on PATH may be a pyenv shim script, not the interpreter)."""
    for cand in (sys.executable, shutil.which("python3"), "/usr/bin/python3"):
        if cand and os.path.exists(cand) and reachable(cand, uid, gid, 5):
            return os.path.realpath(cand)
    raise SandboxError(f"no python3 that uid {uid} can run (needed for the Python shim client)")


# -- the sandbox -------------------------------------------------------------------
class Sandbox:
    """A private file-system view for one driver, reusable for several runs.

    ``commands``: command name -> absolute paths where its shim must appear
    (it always also appears in ``/usr/lib/svmsim/bin``).  ``aliases``: path ->
    real program it is a symlink to (``/usr/xpg4/bin/sh`` -> ``/bin/sh``).
    ``etc_files``: path -> initial content (any path in an overlaid tree).
    ``dev_nodes``: paths under /dev that must exist as character devices.
    ``env``: variables added to the driver's environment.
    ``method``: force "unshare" or "proot"; ``client``: force "c" or "python";
    ``artifacts``: prebuilt C programs (default: ``build.build()``).
    The sandbox's files go in a new ``svmsim-sandbox-*`` directory inside
    ``workdir`` (``root``), or in the temp dir when the unprivileged uid
    cannot reach ``workdir``; ``close()`` removes it.  ``socket_path`` and
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
        method: Method | None = None,
        client: Literal["c", "python"] | None = None,
        artifacts: build.Artifacts | None = None,
        socket_path: str | Path | None = None,
        clock_path: str | Path | None = None,
    ) -> None:
        self.uid, self.gid, self._drop = _ids()
        self.notes: list[str] = []   # what the report should say about how the driver ran
        self.pid: int | None = None
        self.env = dict(env or {})
        workdir = Path(workdir).absolute()
        try:
            workdir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SandboxError(f"cannot create sandbox workdir {workdir}: {exc.strerror}") from None
        self._own_root = not reachable(workdir, self.uid, self.gid, 5)
        parent = None if self._own_root else workdir
        try:
            self.root = Path(tempfile.mkdtemp(prefix="svmsim-sandbox-", dir=parent)).resolve()
        except OSError as exc:
            raise SandboxError(f"cannot create the sandbox in {workdir}: {exc.strerror}") from None
        os.chmod(self.root, 0o755)
        self._run_dir = self.root / "run"
        if not socket_path and len(str(self._run_dir / "svmsim.sock")) > 100:
            # sun_path holds 108 bytes: a deep workdir gets its socket in /tmp.
            self._run_dir = Path(tempfile.mkdtemp(prefix="svmsim-run-"))
        self.socket_path = Path(socket_path) if socket_path else self._run_dir / "svmsim.sock"
        self.clock_path = Path(clock_path) if clock_path else P.clock_path_for(self.socket_path)
        try:
            self._setup(
                commands, aliases or {}, etc_files or {}, dev_nodes, method, client, artifacts
            )
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
            if self.root == Path(top) or Path(top) in self.root.parents:
                raise SandboxError(f"the sandbox workdir may not live under {top}")
        self.method: Method = self._pick_method(method)
        self.artifacts = artifacts or build.build()
        if client == "c" and self.artifacts.shim is None:
            raise SandboxError(f"C shim client unavailable: {self.artifacts.problem}")
        self.client: Literal["c", "python"] = client or ("c" if self.artifacts.shim else "python")
        for d in ("run", "upper", "work", "dev", "inputs"):
            (self.root / d).mkdir()
        if self._run_dir != self.root / "run":
            os.chmod(self._run_dir, 0o755)
            if self._drop:
                os.chown(self._run_dir, self.uid, self.gid)
        self._trees: dict[str, Path] = {}
        for top in ALWAYS_OVERLAID:
            self._tree_for(top)
        self._install_support()
        for name, paths in commands.items():
            if not name or "/" in name:
                raise SandboxError(f"bad command name {name!r}")
            self._install_shim(name, self._upper(f"{SHIM_BIN}/{name}"))
            for path in paths:
                self._install_shim(name, self._upper(path))
        for path, target in aliases.items():
            dest = self._upper(path)
            self._clear(dest)
            dest.symlink_to(target)
        for path, content in etc_files.items():
            self._write(self._upper(path), content)
        self._make_dev(dev_nodes)
        if self._drop:
            _chown_tree(self.root, self.uid, self.gid)
        if self.method == "unshare":
            self._write_setup_script()
        else:
            self._proot_binds = self._compute_proot_binds()

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

    def _canonical(self, path: str, cwd: str = "/") -> str:
        """Absolute, normalised, with host symlinks in the parents resolved (/sbin -> /usr/sbin)."""
        full = os.path.normpath(os.path.join(cwd, path))
        if full == "/":
            return full
        head, tail = os.path.split(full)
        return os.path.join(os.path.realpath(head), tail)

    def _tree_for(self, top: str) -> Path:
        if top not in self._trees:
            if top in NEVER_OVERLAID or not os.path.isdir(top) or os.path.islink(top):
                raise SandboxError(
                    f"cannot place files under {top}: not an overlayable top-level directory"
                )
            if self.root == Path(top) or Path(top) in self.root.parents:
                raise SandboxError(
                    f"cannot overlay {top}: it holds the sandbox directory {self.root}"
                )
            name = top.strip("/")
            (self.root / "upper" / name).mkdir()
            (self.root / "work" / name).mkdir()
            self._trees[top] = self.root / "upper" / name
        return self._trees[top]

    def _split(self, path: str, cwd: str = "/") -> tuple[str, str]:
        """(top-level dir, rest) of a canonical path."""
        canon = self._canonical(path, cwd)
        parts = canon.split("/", 2)
        return "/" + parts[1], parts[2] if len(parts) > 2 else ""

    def _upper(self, path: str) -> Path:
        if not path.startswith("/"):
            raise SandboxError(f"not an absolute path: {path}")
        top, rest = self._split(path)
        if not rest:
            raise SandboxError(f"cannot replace the top-level directory {top}")
        return self._tree_for(top) / rest

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

    def _install_shim(self, name: str, dest: Path) -> None:
        self._clear(dest)
        if self.client == "c":
            src = self._upper(f"{SHIM_DIR}/{build.SHIM_NAME}")
            try:
                os.link(src, dest)
            except OSError:
                shutil.copy2(src, dest)
        else:
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
        for node in dev_nodes:
            self._dev_link(node, "/dev/null")

    def _dev_path(self, path: str) -> Path:
        canon = os.path.normpath(path)
        if not canon.startswith("/dev/") or canon.count("/") < 2:
            raise SandboxError(f"device node {path} is not under /dev")
        return self.root / "dev" / canon[len("/dev/") :]

    def _dev_link(self, path: str, target: str) -> Path:
        dest = self._dev_path(path)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.svmsim-new")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        tmp.symlink_to(target)
        os.replace(tmp, dest)
        return dest

    def _write_setup_script(self) -> None:
        r = self.root
        lines = [
            "# svmsim sandbox setup: runs inside a fresh user+mount namespace.",
            'fail() { echo "svmsim: sandbox setup failed: $*" >&2; exit 125; }',
            "cd /",
        ]
        for top, upper in self._trees.items():
            name = top.strip("/")
            opts = f"lowerdir={top},upperdir={upper},workdir={r / 'work' / name}"
            lines.append(f"mount -t overlay svmsim -o '{opts}' '{top}' || fail 'overlay on {top}'")
        for name in DEV_DEVICES:
            target = r / "dev" / name
            if target.is_file() and not target.is_symlink():
                lines.append(f"mount --bind '/dev/{name}' '{target}' || fail 'bind /dev/{name}'")
        if os.path.isdir("/dev/pts"):
            lines.append(f"mount --rbind /dev/pts '{r}/dev/pts' || fail 'bind /dev/pts'")
        lines.append(
            f"mount -t tmpfs -o mode=1777 svmsim '{r}/dev/shm' || fail 'tmpfs on /dev/shm'"
        )
        lines.append(f"mount --rbind '{r}/dev' /dev || fail 'bind /dev'")
        lines.append('cd -- "$1" 2>/dev/null || cd /')
        lines.append("shift")
        if self.artifacts.preload is not None:
            lines.append(
                f'LD_PRELOAD="{SHIM_DIR}/{build.PRELOAD_NAME}${{LD_PRELOAD:+:$LD_PRELOAD}}"'
            )
            lines.append("export LD_PRELOAD")
        lines.append('exec "$@"')
        script = self.root / "setup.sh"
        script.write_text("\n".join(lines) + "\n")
        if self._drop:
            os.lchown(script, self.uid, self.gid)

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

        for top, upper in self._trees.items():
            binds.extend(walk(upper, top))
        return binds

    # -- harness-side access -----------------------------------------------------
    def host_path(self, path_inside: str, cwd_inside: str = "/") -> Path:
        """Where the harness reads/writes what the driver sees at ``path_inside``."""
        canon = self._canonical(path_inside, cwd_inside)
        if canon == "/dev" or canon.startswith("/dev/"):
            rest = canon[len("/dev/") :]
            first = rest.split("/", 1)[0]
            if first in DEV_DEVICES or first in ("pts", "shm"):
                return Path(canon)
            return self.root / "dev" / rest if rest else self.root / "dev"
        top, rest = self._split(canon)
        upper = self._trees.get(top)
        if upper is None or not rest:
            return Path(canon)
        candidate = upper / rest
        if os.path.lexists(candidate) or not os.path.lexists(canon):
            return candidate
        return Path(canon)

    def update_etc(self, path: str, content: str | bytes) -> None:
        """Replace the content of a sandboxed file (keeping its inode) while the driver runs."""
        try:
            dest = self._upper(path)
        except SandboxError as exc:
            raise SandboxError(f"update_etc({path}): {exc}") from None
        data = content.encode() if isinstance(content, str) else content
        fresh = not os.path.lexists(dest)
        if fresh:
            for parent in reversed(dest.parents):
                if not parent.exists():
                    parent.mkdir()
                    if self._drop:
                        os.lchown(parent, self.uid, self.gid)
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            self._write_all(fd, data)
            os.ftruncate(fd, len(data))
            if fresh and self._drop:
                os.fchown(fd, self.uid, self.gid)
        finally:
            os.close(fd)

    @staticmethod
    def _write_all(fd: int, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]

    def add_dev_node(self, path: str, target: str = "/dev/null") -> None:
        """Make ``path`` (under /dev) appear inside, as a symlink to ``target``."""
        dest = self._dev_link(path, target)
        if self._drop:
            os.lchown(dest, self.uid, self.gid)
            for parent in dest.parents:
                if parent == self.root / "dev":
                    break
                os.lchown(parent, self.uid, self.gid)

    def remove_dev_node(self, path: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._dev_path(path).unlink()

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

    def _reachable_argv(self, argv: list[str], cwd: str) -> list[str]:
        """Copy driver files the unprivileged uid cannot read into the sandbox."""
        if not self._drop:
            return argv
        out = []
        for i, arg in enumerate(argv):
            full = os.path.join(cwd, arg)
            if arg and os.path.isfile(full) and not reachable(full, self.uid, self.gid, 4):
                copy = self.root / "inputs" / str(i) / os.path.basename(full)
                copy.parent.mkdir(exist_ok=True)
                shutil.copy2(full, copy)
                _chown_tree(copy.parent, self.uid, self.gid)
                arg = str(copy)
            out.append(arg)
        return out

    def command(self, argv: Sequence[str], cwd: str, extra_preload: str | None = None) -> list[str]:
        """The host command line that runs ``argv`` inside the sandbox.

        Our LD_PRELOAD only exists inside, so it is set at the last step
        (setup script, or ``env`` under proot), in front of ``extra_preload``.
        """
        if self.method == "unshare":
            unshare = shutil.which("unshare") or "unshare"
            return [
                unshare, "--user", "--map-root-user", "--mount", "--propagation", "private",
                "/bin/sh", str(self.root / "setup.sh"), cwd, *argv,
            ]  # fmt: skip
        proot = shutil.which("proot") or "proot"
        cmd = [proot, "-0", "-w", cwd]
        for host, guest in self._proot_binds:
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
    ) -> SandboxResult:
        """Run the driver inside; stdout/stderr are inherited unless ``capture``.

        ``stdin``: None inherits, bytes are fed through a pipe, an fd or file
        is passed on.  ``timeout`` (real seconds) kills the whole process
        group; the result then has ``timed_out`` set and returncode -9.
        Processes the driver left behind are killed when it exits.
        """
        if not argv:
            raise SandboxError("nothing to run")
        if self._drop and not reachable(self.socket_path.parent, self.uid, self.gid, 1):
            raise SandboxError(f"uid {self.uid} cannot reach the shim socket {self.socket_path}")
        host_cwd = os.path.abspath(cwd or os.getcwd())
        inside_cwd = host_cwd if reachable(host_cwd, self.uid, self.gid, 1) else "/"
        if inside_cwd != host_cwd:   # for the report: the driver's stderr is its own
            self.notes.append(f"uid {self.uid} cannot enter {host_cwd}; the driver started in /")
        args = self._reachable_argv(list(argv), host_cwd)
        envp = self._driver_env(env, inside_cwd)
        extra_preload = envp.pop("LD_PRELOAD", None) if self.method == "proot" else None
        cmd = self.command(args, inside_cwd, extra_preload)
        feed = stdin if isinstance(stdin, bytes) else None
        kwargs: dict[str, Any] = {
            "env": envp,
            "cwd": host_cwd if os.path.isdir(host_cwd) else "/",
            "stdin": subprocess.PIPE if feed is not None else stdin,
            "stdout": subprocess.PIPE if capture else None,
            "stderr": subprocess.PIPE if capture else None,
            "process_group": 0,
        }
        if self._drop:
            kwargs.update(user=self.uid, group=self.gid, extra_groups=[])
        try:
            proc = subprocess.Popen(cmd, **kwargs)
            self.pid = proc.pid   # the driver's process group, for kill()
        except OSError as exc:
            raise SandboxError(
                f"cannot start the sandbox ({self.method}): {exc.strerror or exc}"
            ) from None
        with _foreground(proc.pid, stdin is None):
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
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
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

    def kill(self) -> None:
        """Kill the running driver's whole process group (e.g. the simulated host hung)."""
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)

    # -- lifecycle ----------------------------------------------------------------
    def close(self) -> None:
        """Remove the sandbox's files (upper layers, /dev tree, copies)."""
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
