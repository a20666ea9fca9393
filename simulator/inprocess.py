"""Python drivers in-process: ``subprocess`` calls of the fake commands answer from a Host.

A Python backup driver calls ``subprocess.run(["/usr/sbin/metastat", "d1"], ...)``. Inside
:func:`route_subprocess` such calls never start a process: they run on the simulated host and
return what the real command would have. Other programs still run for real. Shell strings
(``shell=True``) are routed when they are one simple command; pipelines need the process
harness (``svmsim run``).
"""

from __future__ import annotations

import io
import os
import shlex
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from .commands import COMMANDS

if TYPE_CHECKING:
    from .model.host import CommandResult, Host

FAKE_DIRS = ("", "/usr/sbin", "/sbin", "/usr/opt/SUNWmd/sbin", "/etc/opt/SUNWmd",
             "/usr/bin", "/bin")
SHELL_META = set("|&;<>()$`*?[]#~{}\n")   # anything a shell would do more than split


def fake_argv(args: Any, shell: bool) -> list[str] | None:
    """The argv when ``args`` names a fake command, else None."""
    if shell:
        if not isinstance(args, str) or SHELL_META & set(args):
            return None
        try:
            argv = shlex.split(args)
        except ValueError:
            return None
    elif isinstance(args, (str, bytes, os.PathLike)):
        argv = [os.fsdecode(args)]
    else:
        argv = [os.fsdecode(a) for a in args]
    if not argv:
        return None
    head, name = os.path.split(argv[0])
    if name in COMMANDS and head in FAKE_DIRS:
        return argv
    return None


class FakePopen:
    """Enough of ``subprocess.Popen`` for drivers: the command has already run."""

    def __init__(self, result: CommandResult, args: Any, text: bool,
                 stdout: Any, stderr: Any) -> None:
        self.args = args
        self.returncode: int = result.exit_code
        self.pid = 0
        self._text = text
        self._out = result.stdout_bytes
        self._err = result.stderr.encode()
        if stderr == subprocess.STDOUT:
            self._out, self._err = self._out + self._err, b""
        self.stdout = self._stream(self._out) if stdout == subprocess.PIPE else None
        self.stderr = self._stream(self._err) if stderr == subprocess.PIPE else None
        self.stdin = None
        self._want_out = stdout == subprocess.PIPE
        self._want_err = stderr == subprocess.PIPE
        import sys
        self._deliver(stdout, self._out, sys.stdout)
        self._deliver(stderr, self._err, sys.stderr)

    def _stream(self, data: bytes) -> Any:
        return io.StringIO(data.decode()) if self._text else io.BytesIO(data)

    @staticmethod
    def _deliver(target: Any, data: bytes, inherited: Any) -> None:
        if target is None:   # inherited: the test's own stdout/stderr
            inherited.write(data.decode())
        elif target in (subprocess.PIPE, subprocess.STDOUT, subprocess.DEVNULL):
            return
        elif isinstance(target, int):
            os.write(target, data)
        elif hasattr(target, "buffer"):
            target.write(data.decode())
        elif hasattr(target, "write"):
            try:
                target.write(data)
            except TypeError:
                target.write(data.decode())

    def communicate(self, input: Any = None, timeout: float | None = None) -> tuple[Any, Any]:
        out = self._out if self._want_out else None
        err = self._err if self._want_err else None
        if self._text:
            return (out.decode() if out is not None else None,
                    err.decode() if err is not None else None)
        return out, err

    def wait(self, timeout: float | None = None) -> int:
        return self.returncode

    def poll(self) -> int:
        return self.returncode

    def kill(self) -> None:
        return None

    terminate = kill

    def __enter__(self) -> FakePopen:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None


@contextmanager
def route_subprocess(host: Host, calls: list[CommandResult] | None = None) -> Iterator[None]:
    """Within this block, ``subprocess`` runs of fake commands answer from ``host``."""
    real_popen = subprocess.Popen

    class RoutedPopen(real_popen):  # type: ignore[misc,valid-type]
        def __new__(cls, args: Any, *a: Any, **kw: Any) -> Any:
            argv = fake_argv(args, bool(kw.get("shell")))
            if argv is None:
                return real_popen(args, *a, **kw)
            stdin = kw.get("input", b"")
            if isinstance(stdin, str):
                stdin = stdin.encode()
            result = host.run(argv, stdin=stdin or b"", cwd=os.getcwd(),
                              env={k: v for k, v in (kw.get("env") or os.environ).items()})
            if calls is not None:
                calls.append(result)
            text = bool(kw.get("text") or kw.get("universal_newlines") or kw.get("encoding"))
            return FakePopen(result, args, text, kw.get("stdout"), kw.get("stderr"))

    def fake_run(args: Any, *a: Any, input: Any = None, capture_output: bool = False,
                 check: bool = False, timeout: float | None = None, **kw: Any) -> Any:
        argv = fake_argv(args, bool(kw.get("shell")))
        if argv is None:
            return real_run(args, *a, input=input, capture_output=capture_output,
                            check=check, timeout=timeout, **kw)
        if capture_output:
            kw["stdout"] = kw["stderr"] = subprocess.PIPE
        data = input.encode() if isinstance(input, str) else (input or b"")
        result = host.run(argv, stdin=data, cwd=os.getcwd())
        if calls is not None:
            calls.append(result)
        text = bool(kw.get("text") or kw.get("universal_newlines") or kw.get("encoding"))
        proc = FakePopen(result, args, text, kw.get("stdout"), kw.get("stderr"))
        out, err = proc.communicate()
        done = subprocess.CompletedProcess(args, result.exit_code, out, err)
        if check and result.exit_code:
            raise subprocess.CalledProcessError(result.exit_code, args, out, err)
        return done

    real_run = subprocess.run
    saved = {name: getattr(subprocess, name) for name in ("Popen", "run")}
    subprocess.Popen = RoutedPopen  # type: ignore[misc]
    subprocess.run = fake_run
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(subprocess, name, value)


def run_argv(host: Host, argv: Sequence[str]) -> CommandResult:
    """Run a fake command by argv (helper for drivers written against the API)."""
    return host.run(list(argv))
