"""Routing: while :func:`route_subprocess` is active, processes of fake commands never start.

``subprocess.Popen.__init__`` is wrapped, so every way of starting a process goes through
it (``run``, ``call``, ``check_call``, ``check_output``, ``getoutput``, ``Popen`` -- even as
``from subprocess import Popen`` done before the block -- and ``os.popen``), and
``os.system`` is wrapped too. A command is *fake* when :func:`simulator.core.registry.
program_at` knows it (called bare, ``metastat``, or at one of its Solaris paths,
``/usr/sbin/metastat``): its ``Popen`` becomes a :class:`~simulator.inprocess.popen.
FakePopen` and the :class:`Router` runs it, with its shell redirections, on the
:class:`~simulator.session.session.Session` -- the one the process harness uses too --, which
records it and keeps the fake files current. Everything else starts for real.
"""

from __future__ import annotations

import contextlib
import errno
import inspect
import os
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.core.registry import program_at
from simulator.core.shellwords import SHELL, ShellCommand, parse_shell
from simulator.inprocess.popen import FakePopen, _PausedPopen
from simulator.session.session import Session
from simulator.session.transcript import Call
from simulator.sunos.release import program_paths

if TYPE_CHECKING:
    from pyfakefs.fake_filesystem import FakeFilesystem

    from simulator.host import CommandResult, Host


class UnroutedCommandWarning(UserWarning):
    """A shell string names a fake command but is too complex to run in-process."""


def _is_fake(program: str, release: str | None = None) -> bool:
    """A fake program called bare or at one of its Solaris paths (on a host of ``release``,
    only the paths such a host has: no ``/usr/opt/SUNWmd`` after 5.9)."""
    if program_at(program) is None:
        return False
    return release is None or "/" not in program or \
        bool(program_paths([os.path.normpath(program)], release))


def plan_command(args: Any, shell: bool = False, executable: Any = None,
                 release: str | None = None) -> ShellCommand | None:
    """The command to run in-process for these ``Popen`` arguments, or None (run for real);
    ``release`` is the simulated host's (its paths decide what is fake)."""
    if shell:
        if isinstance(args, (bytes, os.PathLike)):
            args = os.fsdecode(args)
        if not isinstance(args, str):
            return None
        cmd = parse_shell(args)
        if cmd is None or not _is_fake(cmd.argv[0], release):
            return None
        return cmd
    if isinstance(args, (str, bytes, os.PathLike)):
        argv = [os.fsdecode(args)]
    else:
        try:
            argv = [os.fsdecode(a) for a in args]
        except TypeError:
            return None
    if not argv:
        return None
    if executable is not None:      # the program run; argv[0] is only what it is told
        program = os.fsdecode(executable)
        return ShellCommand([program] + argv[1:]) if _is_fake(program, release) else None
    return ShellCommand(argv) if _is_fake(argv[0], release) else None


def fake_argv(args: Any, shell: bool) -> list[str] | None:
    """The argv when ``args`` names a fake command (see :func:`plan_command`), else None."""
    cmd = plan_command(args, shell)
    return cmd.argv if cmd is not None else None


# ---------------------------------------------------------------------------- running
class Router:
    """Runs planned commands on a session; called by :class:`FakePopen` and ``os.system``.

    ``execute`` applies the command's redirections around
    :meth:`Session.dispatch <simulator.session.session.Session.dispatch>`.
    """

    def __init__(self, session: Session, calls: list[Call] | None = None,
                 pause: Callable[[], contextlib.AbstractContextManager[None]] | None = None,
                 before: Callable[[], None] | None = None,
                 after: Callable[[Call], None] | None = None) -> None:
        self.session = session
        self.calls = calls
        self.pause = pause
        self.before = before
        self.after = after

    @property
    def host(self) -> Host:
        return self.session.host

    def execute(self, cmd: ShellCommand, stdin: bytes, cwd: str,
                env: dict[str, str]) -> tuple[bytes, bytes, int]:
        """Run ``cmd`` with its redirections: (bytes for fd 1, bytes for fd 2, status).

        Raises :class:`simulator.HostHung` when the host was hung before the call.
        """
        table: dict[int, _Target] = {0: ("chan", 0), 1: ("chan", 1), 2: ("chan", 2)}
        out: dict[int, bytearray] = {1: bytearray(), 2: bytearray()}
        for r in cmd.redirects:
            path = r.target if os.path.isabs(r.target) else os.path.join(cwd, r.target)
            if r.op.endswith("&"):
                table[r.fd] = table[int(r.target)]
            elif r.op == "<":
                try:
                    with open(path, "rb") as f:
                        table[r.fd] = ("data", f.read())
                except OSError:
                    out[2] += f"{SHELL}: 1: cannot open {r.target}: No such file\n".encode()
                    return bytes(out[1]), bytes(out[2]), 2
            elif path in ("/dev/stdout", "/dev/stderr"):
                table[r.fd] = table[1 if path == "/dev/stdout" else 2]
            elif path == os.devnull:
                table[r.fd] = ("null", 0)
            else:
                try:
                    with open(path, "ab" if r.op == ">>" else "wb"):
                        pass
                except OSError as e:
                    why = ("Directory nonexistent" if e.errno == errno.ENOENT
                           else e.strerror or "Permission denied")
                    out[2] += f"{SHELL}: 1: cannot create {r.target}: {why}\n".encode()
                    return bytes(out[1]), bytes(out[2]), 2
                table[r.fd] = ("file", path)
        source = table[0]
        data = stdin if source == ("chan", 0) else source[1] \
            if source[0] == "data" and isinstance(source[1], bytes) else b""
        if self.before is not None:
            self.before()
        call = self.session.dispatch(list(cmd.argv), stdin=data, cwd=cwd, env=env)
        for fd, payload in ((1, call.stdout_bytes), (2, call.stderr.encode())):
            kind, where = table[fd]
            if kind == "chan" and where in (1, 2):
                out[int(where)] += payload
            elif kind == "file":
                with open(str(where), "ab") as f:
                    f.write(payload)
        if self.calls is not None:
            self.calls.append(call)
        if self.after is not None:
            self.after(call)
        return bytes(out[1]), bytes(out[2]), call.exit_code


# where a redirected fd points: ("chan", fd), ("data", input bytes), ("file", path), ("null", 0)
_Target = tuple[str, int | bytes | str]

_ACTIVE: list[Router] = []
_REAL_INIT = subprocess.Popen.__init__
_INIT_SIG = inspect.signature(_REAL_INIT)
_REAL_SYSTEM = os.system


def _routed_init(self: subprocess.Popen[Any], args: Any, *a: Any, **kw: Any) -> None:
    router = _ACTIVE[-1] if _ACTIVE else None
    if router is None or type(self) is not subprocess.Popen:
        _REAL_INIT(self, args, *a, **kw)
        return
    params = _INIT_SIG.bind(self, args, *a, **kw).arguments
    command = plan_command(args, bool(params.get("shell")), params.get("executable"),
                           router.session.host.release)
    if command is not None:
        self.__class__ = FakePopen
        FakePopen.__init__(self, router, command, args, params)  # type: ignore[arg-type]
        return
    if params.get("shell"):
        _warn_unrouted(args)
    if router.pause is None:
        _REAL_INIT(self, args, *a, **kw)
        return
    self.__class__ = _PausedPopen
    assert isinstance(self, _PausedPopen)
    self._svmsim_pause = router.pause
    with router.pause():
        _REAL_INIT(self, args, *a, **kw)


def _warn_unrouted(args: Any) -> None:
    text = os.fsdecode(args) if isinstance(args, (str, bytes, os.PathLike)) else ""
    words = set(text.replace("|", " ").replace(";", " ").replace("&", " ").split())
    if any(_is_fake(w) for w in words):
        warnings.warn(f"svmsim: not routed (not one simple command): {text!r} runs in the "
                      f"real {SHELL}, where the fake commands do not exist; use the process "
                      "harness (svmsim run) for shell pipelines", UnroutedCommandWarning,
                      stacklevel=_caller_level())


def _caller_level() -> int:
    """The ``stacklevel`` of the first frame outside subprocess, os and this module."""
    internal = {os.path.normcase(os.path.abspath(m.__file__ or "")) for m in (subprocess, os)}
    internal |= {os.path.normcase(str(p)) for p in Path(__file__).resolve().parent.glob("*.py")}
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.normcase(
            os.path.abspath(frame.f_code.co_filename)) in internal:
        frame, level = frame.f_back, level + 1   # type: ignore[assignment]
    return level


def _routed_system(command: Any) -> int:
    router = _ACTIVE[-1] if _ACTIVE else None
    plan = plan_command(command, shell=True, release=router.session.host.release) \
        if router is not None else None
    if router is None or plan is None:
        if router is not None:
            _warn_unrouted(command)
        return _REAL_SYSTEM(command)
    proc = FakePopen(router, plan, command, {"shell": True})
    code = proc.wait()
    return (code & 0xFF) << 8 if code >= 0 else -code


@contextmanager
def route_subprocess(host: Host | Session, calls: list[Call] | None = None, *,
                     fakefs: FakeFilesystem | None = None,
                     before: Callable[[], None] | None = None,
                     after: Callable[[Call], None] | None = None) -> Iterator[Router]:
    """Within this block, processes started for fake commands answer from ``host``.

    ``host`` is a Host (a fresh :class:`Session` records its calls) or a Session (the pytest
    plugin's, which also mirrors the host's files). ``calls`` (a list) receives the
    :class:`~simulator.session.transcript.Call` of each fake command run. ``fakefs`` is the
    pyfakefs ``FakeFilesystem`` in use, if any: real children (``echo``) are started and
    talked to with the file system patching paused, as pyfakefs cannot hand its fake pipes
    to a real process. ``before`` runs before each fake command and ``after`` (with the
    call) after it. Blocks nest; the innermost host answers.
    """
    session = host if isinstance(host, Session) else Session(host)
    router = Router(session, calls, _pauser(fakefs), before, after)
    if not _ACTIVE:
        subprocess.Popen.__init__ = _routed_init  # type: ignore[method-assign]
        os.system = _routed_system
    _ACTIVE.append(router)
    try:
        yield router
    finally:
        _ACTIVE.remove(router)
        if not _ACTIVE:
            subprocess.Popen.__init__ = _REAL_INIT  # type: ignore[method-assign]
            os.system = _REAL_SYSTEM


def _pauser(fakefs: FakeFilesystem | None
            ) -> Callable[[], contextlib.AbstractContextManager[None]] | None:
    if fakefs is None or not fakefs.has_patcher:
        return None

    @contextmanager
    def pause() -> Iterator[None]:
        patcher = fakefs.patcher
        if patcher is None or not patcher.is_patching:
            yield
            return
        fakefs.pause()
        try:
            yield
        finally:
            fakefs.resume()
    return pause


def run_argv(host: Host, argv: Sequence[str]) -> CommandResult:
    """Run a fake command by argv (helper for drivers written against the API)."""
    return host.run(list(argv))
