"""One run of a fake command: its host, argv, standard streams and caller identity.

A command module defines ``NAME``, ``USAGE`` and ``main(inv: Invocation) -> int``. It parses
``inv.argv`` with :func:`simulator.core.libc.getopt` (Solaris semantics), calls the model, and
prints with ``inv.out``/``inv.err``; an ``MDError`` from the model becomes the libmeta error
text (``inv.md_error``). It ends early with ``CommandExit``/``UsageError``
(:mod:`simulator.core.errors`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, BinaryIO, Protocol

from simulator.core.files import LOCAL_FILES, FileAccess

if TYPE_CHECKING:
    from simulator.host import Host


class LibmetaError(Protocol):
    """What ``mde_perror`` needs of an error (``simulator.lvm.errors.MDError``)."""

    exit_code: int

    def detail(self, host: str) -> str: ...

ROOT_REQUIRED = "Permission denied.  You must have root privilege to execute this command."


class Output:
    """A byte sink that accepts text (commands print text; ufsdump may print bytes).

    Writes are also appended, tagged with ``fd``, to a ``journal`` shared by a command's
    stdout and stderr, so that ``2>&1`` shows them interleaved as the real command wrote them,
    and handed to ``live`` as they are written when a terminal front shows them at once (the
    lab shell: ufsdump's question is on the screen before it reads the answer).

    Text is encoded as UTF-8 with ``surrogateescape``: argv reaches a command decoded the
    same way (``os.fsdecode``, Python's ``sys.argv``), so a byte that is not UTF-8 in an
    argument (``metastat $'d\xff'``) comes back out as that same byte, as a C program
    echoing its ``char *argv[]`` prints it.
    """

    __slots__ = ("buffer", "fd", "journal", "live")

    def __init__(self, fd: int = 1, journal: list[tuple[int, bytes]] | None = None,
                 live: Callable[[int, bytes], None] | None = None) -> None:
        self.buffer = bytearray()
        self.fd = fd
        self.journal = journal if journal is not None else []
        self.live = live

    def write(self, data: str | bytes) -> None:
        raw = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else bytes(data)
        self.buffer += raw
        if raw:
            self.journal.append((self.fd, raw))
            if self.live is not None:
                self.live(self.fd, raw)

    def text(self) -> str:
        return self.buffer.decode("utf-8", errors="replace")


class Invocation:
    """One run of a fake command: the host, argv, standard streams, caller identity.

    Standard input is read lazily: a command that never looks at ``stdin`` never blocks on a
    terminal or an open pipe (the harness passes the driver's real descriptor as
    ``stdin_file``). ``readline()`` serves interactive prompts one answer at a time.
    """

    __slots__ = ("host", "argv", "uid", "env", "cwd", "interactive", "files", "journal",
                 "stdout", "stderr", "_stdin_file", "_stdin_buf", "_stdin_eof")

    def __init__(self, host: Host, argv: list[str], stdin: bytes = b"", uid: int = 0,
                 env: dict[str, str] | None = None, cwd: str = "/",
                 interactive: bool = False, files: FileAccess | None = None,
                 stdin_file: BinaryIO | None = None,
                 live: Callable[[int, bytes], None] | None = None) -> None:
        self.host = host
        self.argv = argv
        self.uid = uid
        self.env = env or {}
        self.cwd = cwd
        self.interactive = interactive      # stdin is a terminal (prompts may be answered)
        self.files = files or LOCAL_FILES  # real files the command touches
        self.journal: list[tuple[int, bytes]] = []   # (1|2, bytes) in the order written
        self.stdout = Output(1, self.journal, live)
        self.stderr = Output(2, self.journal, live)
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

    def md_error(self, error: LibmetaError) -> int:
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
