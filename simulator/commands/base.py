"""What every fake command shares: its invocation, Solaris getopt, and libmeta error output.

A command module defines ``NAME``, ``USAGE`` and ``main(inv: Invocation) -> int``. It parses
``inv.argv`` with :func:`getopt` (Solaris semantics: options stop at the first operand, bad
options print ``<prog>: illegal option -- x``), calls the model, and prints with
``inv.out``/``inv.err``. :class:`MDError` from the model becomes the libmeta error text.
"""

from __future__ import annotations

import getopt as _getopt
import os
from typing import TYPE_CHECKING, BinaryIO

from ..model.errors import MDError, UsageError
from .files import FileAccess

if TYPE_CHECKING:
    from ..model.host import Host

ROOT_REQUIRED = "Permission denied.  You must have root privilege to execute this command."


class Output:
    """A byte sink that accepts text (commands print text; ufsdump may print bytes)."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def write(self, data: str | bytes) -> None:
        self.buffer += data.encode() if isinstance(data, str) else data

    def text(self) -> str:
        return self.buffer.decode("utf-8", errors="replace")


class Invocation:
    """One run of a fake command: the host, argv, standard streams, caller identity.

    Standard input is read lazily: a command that never looks at ``stdin`` never blocks on a
    terminal or an open pipe (the harness passes the driver's real descriptor as
    ``stdin_file``). ``readline()`` serves interactive prompts one answer at a time.
    """

    def __init__(self, host: Host, argv: list[str], stdin: bytes = b"", uid: int = 0,
                 env: dict[str, str] | None = None, cwd: str = "/",
                 interactive: bool = False, files: FileAccess | None = None,
                 stdin_file: BinaryIO | None = None) -> None:
        self.host = host
        self.argv = argv
        self.uid = uid
        self.env = env or {}
        self.cwd = cwd
        self.interactive = interactive      # stdin is a terminal (prompts may be answered)
        self.files = files or FileAccess()  # real files the command touches
        self.stdout = Output()
        self.stderr = Output()
        self._stdin_file = stdin_file
        self._stdin_buf = bytearray(stdin)
        self._stdin_eof = stdin_file is None

    @property
    def stdin(self) -> bytes:
        """All of standard input (read to end of file on first use)."""
        if not self._stdin_eof and self._stdin_file is not None:
            self._stdin_buf += self._stdin_file.read() or b""
            self._stdin_eof = True
        return bytes(self._stdin_buf)

    def readline(self) -> str | None:
        """One line of standard input (without the newline); None at end of file."""
        while b"\n" not in self._stdin_buf and not self._stdin_eof:
            assert self._stdin_file is not None
            chunk = self._stdin_file.read(1)
            if not chunk:
                self._stdin_eof = True
            else:
                self._stdin_buf += chunk
        if not self._stdin_buf:
            return None
        line, sep, rest = bytes(self._stdin_buf).partition(b"\n")
        self._stdin_buf = bytearray(rest)
        return line.decode("utf-8", errors="replace")

    @property
    def prog(self) -> str:
        return os.path.basename(self.argv[0]) if self.argv else "?"

    @property
    def args(self) -> list[str]:
        return self.argv[1:]

    def out(self, text: str = "", end: str = "\n") -> None:
        self.stdout.write(text + end)

    def err(self, text: str = "", end: str = "\n") -> None:
        self.stderr.write(text + end)

    def md_error(self, error: MDError) -> int:
        """Print a libmeta error (``mde_perror``): the line, then an empty line."""
        self.err(f"{self.prog}: {error.detail(self.host.hostname)}\n")
        return error.exit_code

    def need_root(self) -> bool:
        """False (after printing the libmeta text) when the caller is not root."""
        if self.uid != 0:
            self.err(f"{self.prog}: {self.host.hostname}: {ROOT_REQUIRED}\n")
            return False
        return True

    def stdin_lines(self) -> list[str]:
        return self.stdin.decode("utf-8", errors="replace").splitlines()


def getopt(inv: Invocation, optstring: str, args: list[str] | None = None
           ) -> tuple[list[tuple[str, str]], list[str]]:
    """Solaris getopt(3C): stops at the first operand or ``--``.

    A bad option prints ``<prog>: illegal option -- c`` (or ``option requires an argument
    -- c``) to stderr, as the C library does, and raises :class:`UsageError`.
    """
    try:
        return _getopt.getopt(inv.args if args is None else args, optstring)
    except _getopt.GetoptError as e:
        opt = e.opt or "?"
        name = inv.argv[0] if inv.argv else inv.prog   # getopt(3C) prints argv[0] as given
        if "requires argument" in e.msg:
            inv.err(f"{name}: option requires an argument -- {opt}")
        else:
            inv.err(f"{name}: illegal option -- {opt}")
        raise UsageError(e.msg) from None


def parse_int(text: str) -> int | None:
    """C-style integer (decimal, 0x hex, leading-0 octal); None if not a number."""
    try:
        return int(text, 0) if not (text.startswith("0") and text[1:].isdigit()) \
            else int(text, 8)
    except ValueError:
        return None
