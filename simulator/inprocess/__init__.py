"""Python drivers in-process: ``subprocess`` calls of the fake commands answer from a Host.

A Python backup driver calls ``subprocess.run(["/usr/sbin/metastat", "d1"], ...)``. Inside
:func:`route_subprocess` such calls never start a process: they run on the simulated host,
and the driver gets what the real command would have given it.

How: while the block is active, ``subprocess.Popen.__init__`` is wrapped, so every way of
starting a process goes through it -- ``run``, ``call``, ``check_call``, ``check_output``,
``getoutput``, ``Popen`` (even as ``from subprocess import Popen`` done before the block)
and ``os.popen`` --, and ``os.system`` is wrapped too. A command is *fake* when its name is
one of :data:`simulator.core.registry.PROGRAMS`, called bare (``metastat``) or at one of its
Solaris paths (``/usr/sbin/metastat``). Then the ``Popen`` object becomes a
:class:`FakePopen`: a real ``subprocess.Popen`` instance (``isinstance`` holds) whose
streams, ``communicate``, ``wait``, ``poll``, ``returncode`` and context manager behave as a
finished process's do. ``run``'s ``check=True`` (``CalledProcessError``), ``capture_output``,
``text``/``encoding``/``errors``, ``input=``, ``stderr=STDOUT`` and ``timeout`` are the
standard library's own code working on that object.

Everything else runs for real, unchanged (``echo``, ``/usr/sbin/metaset`` -- which is not
simulated, so it raises ``FileNotFoundError`` just as it does without the simulation).

Shell strings (``shell=True``, ``os.system``, ``os.popen``) are routed when they are one
simple command, optionally with the redirections ``>file``, ``>>file``, ``<file``, ``2>&1``
(any of fds 0-2). Anything else -- pipes, ``;``, ``&&``, variables, globs, command
substitution -- goes to the real ``/bin/sh``, which cannot find ``/usr/sbin/metastat`` on
Linux: routing happens in this Python process, and a real shell's children are other
processes that never come back here. Drive such scripts with the process harness
(``svmsim run``), which puts the fake commands on the sandbox's disk. A warning
(:class:`UnroutedCommandWarning`) says when such a string names a fake command.

A command that hangs the host (``lockfs -w /``) never returns: ``wait``/``communicate`` with
a ``timeout`` raise ``subprocess.TimeoutExpired``, and without one raise
:class:`simulator.HostHung` (a test would otherwise block forever).
"""

from __future__ import annotations

import contextlib
import errno
import inspect
import io
import itertools
import os
import signal
import subprocess
import sys
import warnings
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from simulator.core.registry import program_at

if TYPE_CHECKING:
    from simulator.host import CommandResult, Host

# Unquoted, these make a shell string more than one simple command (``<``, ``>`` and ``&``
# are allowed inside the redirections ``[n]>word``, ``[n]>>word``, ``[n]<word``, ``[n]>&m``).
SHELL_META = set("|&;<>()$`*?[]#~{}\n")
SHELL = "/bin/sh"


class UnroutedCommandWarning(UserWarning):
    """A shell string names a fake command but is too complex to run in-process."""


@dataclass
class Redirect:
    """One shell redirection: ``fd op target`` (``2>&1`` is ``Redirect(2, ">&", "1")``)."""

    fd: int
    op: str        # ">", ">>", "<", ">&", "<&"
    target: str


@dataclass
class ShellCommand:
    """A simple command: its argv and its redirections, in the order written."""

    argv: list[str]
    redirects: list[Redirect] = field(default_factory=list)


@dataclass
class RoutedCall:
    """One fake command run in-process: what it was given and what it did."""

    argv: list[str]
    stdin: bytes
    result: CommandResult
    cwd: str = "/"

    @property
    def exit_code(self) -> int:
        return self.result.exit_code

    @property
    def stdout(self) -> str:
        return self.result.stdout

    @property
    def stderr(self) -> str:
        return self.result.stderr


# ---------------------------------------------------------------------------- parsing
def _shell_tokens(line: str) -> list[tuple[str, Any]] | None:
    """Words and redirection operators of a simple ``sh`` command; None if not simple."""
    tokens: list[tuple[str, Any]] = []
    word: list[str] | None = None
    quoted = False
    i, n = 0, len(line)

    def end_word() -> None:
        nonlocal word, quoted
        if word is not None:
            tokens.append(("word", "".join(word)))
        word, quoted = None, False

    while i < n:
        c = line[i]
        if c in " \t":
            end_word()
            i += 1
        elif c == "'":
            j = line.find("'", i + 1)
            if j < 0:
                return None
            word = (word or []) + [line[i + 1:j]]
            quoted = True
            i = j + 1
        elif c == '"':
            buf: list[str] = []
            i += 1
            while i < n and line[i] != '"':
                ch = line[i]
                if ch in "$`":
                    return None
                if ch == "\\" and i + 1 < n and line[i + 1] in '$`"\\\n':
                    if line[i + 1] != "\n":
                        buf.append(line[i + 1])
                    i += 2
                    continue
                buf.append(ch)
                i += 1
            if i >= n:
                return None
            word = (word or []) + buf
            quoted = True
            i += 1
        elif c == "\\":
            if i + 1 >= n:
                return None
            if line[i + 1] != "\n":
                word = (word or []) + [line[i + 1]]
                quoted = True
            i += 2
        elif c in "<>":
            fd = None
            if word is not None and not quoted and "".join(word).isdigit():
                fd = int("".join(word))
                word = None
            end_word()
            i += 1
            op = c
            if i < n and line[i] == "&":
                op, i = c + "&", i + 1
            elif c == ">" and i < n and line[i] == ">":
                op, i = ">>", i + 1
            elif i < n and line[i] in "<>|":
                return None          # here-documents, <>, >|
            tokens.append(("redir", (op, fd if fd is not None else (1 if c == ">" else 0))))
        elif c in SHELL_META:
            return None
        else:
            word = (word or []) + [c]
            i += 1
    end_word()
    return tokens


def parse_shell(line: str) -> ShellCommand | None:
    """``line`` as one simple command with redirections, or None (pipes, ``;``, ``$``...)."""
    tokens = _shell_tokens(line)
    if not tokens:
        return None
    argv: list[str] = []
    redirects: list[Redirect] = []
    it = iter(tokens)
    for kind, value in it:
        if kind == "word":
            argv.append(value)
            continue
        op, fd = value
        target = next(it, None)
        if target is None or target[0] != "word" or fd > 2:
            return None
        if op.endswith("&") and target[1] not in ("0", "1", "2"):
            return None              # >&- (close), >&file (bash only)
        redirects.append(Redirect(fd, op, target[1]))
    if not argv:
        return None
    return ShellCommand(argv, redirects)


def _is_fake(program: str) -> bool:
    return program_at(program) is not None


def plan_command(args: Any, shell: bool = False,
                 executable: Any = None) -> ShellCommand | None:
    """The command to run in-process for these ``Popen`` arguments, or None (run for real)."""
    if shell:
        if isinstance(args, (bytes, os.PathLike)):
            args = os.fsdecode(args)
        if not isinstance(args, str):
            return None
        cmd = parse_shell(args)
        if cmd is None or not _is_fake(cmd.argv[0]):
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
        return ShellCommand([program] + argv[1:]) if _is_fake(program) else None
    return ShellCommand(argv) if _is_fake(argv[0]) else None


def fake_argv(args: Any, shell: bool) -> list[str] | None:
    """The argv when ``args`` names a fake command (see :func:`plan_command`), else None."""
    cmd = plan_command(args, shell)
    return cmd.argv if cmd is not None else None


# ---------------------------------------------------------------------------- running
class Router:
    """Runs planned commands on a host; called by :class:`FakePopen` and ``os.system``."""

    def __init__(self, host: Host, calls: list[Any] | None = None,
                 pause: Callable[[], contextlib.AbstractContextManager[Any]] | None = None,
                 before: Callable[[], None] | None = None,
                 after: Callable[[RoutedCall], None] | None = None) -> None:
        self.host = host
        self.calls = calls
        self.pause = pause or contextlib.nullcontext
        self.before = before
        self.after = after

    def execute(self, cmd: ShellCommand, stdin: bytes, cwd: str,
                env: dict[str, str]) -> tuple[bytes, bytes, int]:
        """Run ``cmd`` with its redirections: (bytes for fd 1, bytes for fd 2, status).

        Raises :class:`simulator.HostHung` when the host was hung before the call.
        """
        table: dict[int, Any] = {0: ("chan", 0), 1: ("chan", 1), 2: ("chan", 2)}
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
                table[r.fd] = ("null",)
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
        data = stdin if source == ("chan", 0) else source[1] if source[0] == "data" else b""
        if self.before is not None:
            self.before()
        result = self.host.run(cmd.argv, stdin=data, cwd=cwd, env=env)
        for fd, payload in ((1, result.stdout_bytes or result.stdout.encode()),
                            (2, result.stderr.encode())):
            dest = table[fd]
            if dest[0] == "chan" and dest[1] in (1, 2):
                out[dest[1]] += payload
            elif dest[0] == "file":
                with open(dest[1], "ab") as f:
                    f.write(payload)
        call = RoutedCall(list(cmd.argv), data, result, cwd)
        if self.calls is not None:
            self.calls.append(call)
        if self.after is not None:
            self.after(call)
        return bytes(out[1]), bytes(out[2]), result.exit_code


_ACTIVE: list[Router] = []
_PIDS = itertools.count(31000)
_REAL_INIT = subprocess.Popen.__init__
_INIT_SIG = inspect.signature(_REAL_INIT)
_REAL_SYSTEM = os.system


class _PipeReader(io.RawIOBase):
    """The read end of a fake process's stdout/stderr pipe; the process runs on first read."""

    def __init__(self, fill: Callable[[], bytes]) -> None:
        super().__init__()
        self._fill = fill
        self._data: bytes | None = None
        self._pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._data is None:
            self._data = self._fill()
        view = memoryview(buffer).cast("B")
        chunk = self._data[self._pos:self._pos + len(view)]
        view[:len(chunk)] = chunk
        self._pos += len(chunk)
        return len(chunk)


class _PipeWriter(io.RawIOBase):
    """The write end of a fake process's stdin pipe: collects what the driver writes."""

    def __init__(self, on_close: Callable[[], None]) -> None:
        super().__init__()
        self.data = bytearray()
        # weak: a Popen dropped without closing its stdin is not run by the garbage collector
        self._on_close = weakref.WeakMethod(on_close)

    def writable(self) -> bool:
        return True

    def close(self) -> None:
        if not self.closed:
            super().close()
            on_close = self._on_close()
            if on_close is not None:
                on_close()          # end of input: the command runs now

    def write(self, b: Any) -> int:
        if self.closed:
            raise ValueError("write to closed file")
        data = bytes(b)
        self.data += data
        return len(data)


class FakePopen(subprocess.Popen[Any]):
    """A ``Popen`` whose process is a fake command run on the simulated host.

    It is created by ``subprocess.Popen(...)`` inside :func:`route_subprocess`. The command
    runs when its input is complete: at once, or -- with ``stdin=PIPE`` -- when the driver
    closes ``stdin``, calls ``communicate``/``wait``/``poll``, or reads its output.
    ``returncode`` stays None until ``wait``/``poll``/``communicate``, as for a real child.
    """

    def __init__(self, router: Router, command: ShellCommand, args: Any,
                 params: dict[str, Any]) -> None:
        self._router = router
        self._command = command
        self._shell = bool(params.get("shell"))
        self.args = args
        self.pid = next(_PIDS)
        self.returncode: Any = None
        self._child_created = False
        self._closed_child_pipe_fds = True
        self._communication_started = False
        self._done = False
        self._status: int | None = None
        self._hung: str | None = None
        self._out = b""
        self._err = b""
        self.encoding = params.get("encoding")
        self.errors = params.get("errors")
        text, universal = params.get("text"), params.get("universal_newlines")
        if text is not None and universal is not None and bool(universal) != bool(text):
            raise subprocess.SubprocessError(
                "Cannot disambiguate when both text and universal_newlines are supplied "
                "but different. Pass one or the other.")
        self.text_mode = bool(self.encoding or self.errors or text or universal)
        self.universal_newlines = self.text_mode
        cwd = params.get("cwd")
        self._cwd = os.path.abspath(os.fsdecode(cwd)) if cwd is not None else os.getcwd()
        if not os.path.isdir(self._cwd):
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), self._cwd)
        env = params.get("env")
        self._env = ({os.fsdecode(k): os.fsdecode(v) for k, v in env.items()}
                     if env is not None else dict(os.environ))
        self._stdin_target = params.get("stdin")
        self._stdout_target = params.get("stdout")
        self._stderr_target = params.get("stderr")
        if self._stdout_target == subprocess.STDOUT:
            raise ValueError("STDOUT can only be used for stderr")
        self._stdin_pipe: _PipeWriter | None = None
        self.stdin: Any = None
        self.stdout: Any = None
        self.stderr: Any = None
        encoding = io.text_encoding(self.encoding) if self.text_mode else None
        if self._stdin_target == subprocess.PIPE:
            self._stdin_pipe = _PipeWriter(self._run)
            self.stdin = io.BufferedWriter(self._stdin_pipe)
            if self.text_mode:
                self.stdin = io.TextIOWrapper(self.stdin, write_through=True,
                                              line_buffering=params.get("bufsize") == 1,
                                              encoding=encoding, errors=self.errors)
        for name, target in (("stdout", self._stdout_target), ("stderr", self._stderr_target)):
            if target == subprocess.PIPE:
                stream: Any = io.BufferedReader(_PipeReader(self._reader_fill(name)))
                if self.text_mode:
                    stream = io.TextIOWrapper(stream, encoding=encoding, errors=self.errors)
                setattr(self, name, stream)
        if self._stdin_pipe is None:
            self._run()

    # -- the process ---------------------------------------------------------------
    def _reader_fill(self, name: str) -> Callable[[], bytes]:
        def fill() -> bytes:
            self._run()
            if self._hung and self._status is None:
                from simulator.host import HostHung
                raise HostHung(self._hung)
            return self._out if name == "stdout" else self._err
        return fill

    def _stdin_data(self) -> bytes:
        target = self._stdin_target
        if self._stdin_pipe is not None:
            if not self._stdin_pipe.closed:
                with contextlib.suppress(ValueError, OSError, RuntimeError):
                    self.stdin.flush()
            return bytes(self._stdin_pipe.data)
        if target is None or target == subprocess.DEVNULL:
            return b""          # inherited: a test's stdin is not a terminal to read from
        if isinstance(target, int):
            if target == 0:
                return b""
            chunks = []
            while chunk := os.read(target, 65536):
                chunks.append(chunk)
            return b"".join(chunks)
        data = target.read() if hasattr(target, "read") else b""
        return data.encode() if isinstance(data, str) else bytes(data or b"")

    def _run(self) -> None:
        if self._done:
            return
        self._done = True
        from simulator.host import HostHung
        router = self._router
        try:
            out, err, status = router.execute(self._command, self._stdin_data(), self._cwd,
                                              self._env)
        except HostHung as e:
            self._hung = str(e)
            return
        if router.host.hung_reason:
            self._hung = router.host.hung_reason     # it printed, then never came back
        else:
            self._status = status
        if self._stderr_target == subprocess.STDOUT:      # 2>&1 at the Popen level
            self._out = self._deliver(self._stdout_target, out + err, sys.stdout)
            return
        self._out = self._deliver(self._stdout_target, out, sys.stdout)
        self._err = self._deliver(self._stderr_target, err, sys.stderr)

    @staticmethod
    def _deliver(target: Any, data: bytes, inherited: Any) -> bytes:
        """Write ``data`` where the child's fd points; return it when that is our pipe."""
        if target == subprocess.PIPE:
            return data
        if not data or target == subprocess.DEVNULL:
            return b""
        if target is None or target in (1, 2):
            if target is not None:
                inherited = sys.stdout if target == 1 else sys.stderr
            inherited.flush()
            if hasattr(inherited, "buffer"):
                inherited.buffer.write(data)
                inherited.buffer.flush()
            else:
                inherited.write(data.decode(errors="replace"))
            inherited.flush()
        elif isinstance(target, int):
            view = memoryview(data)
            while view:
                view = view[os.write(target, view):]
        else:
            with contextlib.suppress(AttributeError, ValueError, OSError):
                target.flush()
            try:
                target.write(data)
            except TypeError:
                target.write(data.decode(errors="replace"))
            with contextlib.suppress(AttributeError, ValueError, OSError):
                target.flush()
        return b""

    def _finish(self, timeout: float | None) -> int:
        self._run()
        if self.returncode is None and self._status is not None:
            self.returncode = self._status
        if self.returncode is None:          # hung: it never exits
            if timeout is not None:
                raise subprocess.TimeoutExpired(self.args, timeout)
            from simulator.host import HostHung
            raise HostHung(f"{self._hung}: {' '.join(self._command.argv)} never returns "
                           "(pass timeout= to get TimeoutExpired)")
        return int(self.returncode)

    # -- the Popen interface -------------------------------------------------------------
    def poll(self) -> int | None:
        self._run()
        if self.returncode is None and self._status is not None:
            self.returncode = self._status
        return None if self.returncode is None else int(self.returncode)

    def wait(self, timeout: float | None = None) -> int:
        return self._finish(timeout)

    def communicate(self, input: Any = None, timeout: float | None = None) -> tuple[Any, Any]:
        if self._communication_started and input:
            raise ValueError("Cannot send input after starting communication")
        self._communication_started = True
        if self.stdin is not None and not self.stdin.closed:
            if input:
                try:
                    self.stdin.write(input)
                except BrokenPipeError:
                    pass
            with contextlib.suppress(BrokenPipeError):
                self.stdin.close()
        self._finish(timeout)
        out = err = None
        if self.stdout is not None:
            out = self.stdout.read() if not self.stdout.closed else None
            self.stdout.close()
        if self.stderr is not None:
            err = self.stderr.read() if not self.stderr.closed else None
            self.stderr.close()
        return out, err

    def send_signal(self, sig: int) -> None:
        if self.returncode is None and (not self._done or self._hung):
            self._done = True
            self._status = self.returncode = -int(sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def __enter__(self) -> FakePopen:
        return self

    def __exit__(self, exc_type: Any, value: Any, traceback: Any) -> None:
        for stream in (self.stdout, self.stderr):
            if stream is not None:
                stream.close()
        try:
            if self.stdin is not None:
                self.stdin.close()
        finally:
            if exc_type is not KeyboardInterrupt:
                self.wait()

    def __del__(self) -> None:
        return None

    def __repr__(self) -> str:
        return f"<FakePopen: returncode: {self.returncode} args: {self.args!r}>"


class _PausedPopen(subprocess.Popen[Any]):
    """A real child started while pyfakefs is active: its pipes need the real ``os``."""

    _svmsim_pause: Callable[[], contextlib.AbstractContextManager[Any]]

    def communicate(self, input: Any = None, timeout: float | None = None) -> tuple[Any, Any]:
        with self._svmsim_pause():
            return super().communicate(input, timeout)

    def wait(self, timeout: float | None = None) -> int:
        with self._svmsim_pause():
            return super().wait(timeout)

    def poll(self) -> int | None:
        with self._svmsim_pause():
            return super().poll()

    def __exit__(self, exc_type: Any, value: Any, traceback: Any) -> None:
        with self._svmsim_pause():
            super().__exit__(exc_type, value, traceback)


def _routed_init(self: subprocess.Popen[Any], args: Any, *a: Any, **kw: Any) -> None:
    router = _ACTIVE[-1] if _ACTIVE else None
    if router is None or type(self) is not subprocess.Popen:
        _REAL_INIT(self, args, *a, **kw)
        return
    params = _INIT_SIG.bind(self, args, *a, **kw).arguments
    command = plan_command(args, bool(params.get("shell")), params.get("executable"))
    if command is not None:
        self.__class__ = FakePopen
        FakePopen.__init__(self, router, command, args, params)  # type: ignore[arg-type]
        return
    if params.get("shell"):
        _warn_unrouted(args)
    if router.pause is contextlib.nullcontext:
        _REAL_INIT(self, args, *a, **kw)
        return
    self.__class__ = _PausedPopen
    self._svmsim_pause = router.pause  # type: ignore[attr-defined]
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
    internal.add(os.path.normcase(os.path.abspath(__file__)))
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.normcase(
            os.path.abspath(frame.f_code.co_filename)) in internal:
        frame, level = frame.f_back, level + 1   # type: ignore[assignment]
    return level


def _routed_system(command: Any) -> int:
    router = _ACTIVE[-1] if _ACTIVE else None
    plan = plan_command(command, shell=True) if router is not None else None
    if router is None or plan is None:
        if router is not None:
            _warn_unrouted(command)
        return _REAL_SYSTEM(command)
    proc = FakePopen(router, plan, command, {"shell": True})
    code = proc.wait()
    return (code & 0xFF) << 8 if code >= 0 else -code


@contextmanager
def route_subprocess(host: Host, calls: list[Any] | None = None, *,
                     fakefs: Any = None,
                     before: Callable[[], None] | None = None,
                     after: Callable[[RoutedCall], None] | None = None) -> Iterator[Router]:
    """Within this block, processes started for fake commands answer from ``host``.

    ``calls`` (a list) receives a :class:`RoutedCall` per fake command run. ``fakefs`` is
    the pyfakefs ``FakeFilesystem`` in use, if any: real children (``echo``) are started
    and talked to with the file system patching paused, as pyfakefs cannot hand its fake
    pipes to a real process. ``before`` runs before each fake command and ``after`` (with
    the call) after it. Blocks nest; the innermost host answers.
    """
    router = Router(host, calls, _pauser(fakefs), before, after)
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


def _pauser(fakefs: Any) -> Callable[[], contextlib.AbstractContextManager[Any]] | None:
    if fakefs is None or not getattr(fakefs, "has_patcher", False):
        return None

    @contextmanager
    def pause() -> Iterator[None]:
        patcher = fakefs.patcher
        if not getattr(patcher, "is_patching", False):
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
