"""The ``Popen`` a fake command gets in-process: a finished process's object and pipes.

:class:`FakePopen` is a real ``subprocess.Popen`` instance (``isinstance`` holds) whose
streams, ``communicate``, ``wait``, ``poll``, ``returncode`` and context manager behave as a
finished process's do; the standard library's own ``run``/``check_output`` code works on
it. Its command runs (through the :class:`~simulator.inprocess.route.Router`, on the
session) when its input is complete. :class:`_PausedPopen` is the real child of a program
that is not simulated, started while pyfakefs is active.
"""

from __future__ import annotations

import contextlib
import errno
import io
import itertools
import os
import signal
import subprocess
import sys
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from simulator.core.errors import HostHung

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, WriteableBuffer

    from simulator.core.shellwords import ShellCommand
    from simulator.inprocess.route import Router

_PIDS = itertools.count(31000)


class _PipeReader(io.RawIOBase):
    """The read end of a fake process's stdout/stderr pipe; the process runs on first read."""

    def __init__(self, fill: Callable[[], bytes]) -> None:
        super().__init__()
        self._fill = fill
        self._data: bytes | None = None
        self._pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
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

    def write(self, b: ReadableBuffer) -> int:
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
        router = self._router
        try:
            out, err, status = router.execute(self._command, self._stdin_data(), self._cwd,
                                              self._env)
        except HostHung as e:
            self._hung = str(e)
            return
        if router.session.hung:
            self._hung = router.session.hung     # it printed, then never came back
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


