"""What every fake command shares: its invocation, Solaris getopt, and libmeta error output.

A command module defines ``NAME``, ``USAGE`` and ``main(inv: Invocation) -> int``. It parses
``inv.argv`` with :func:`getopt` (Solaris semantics: options stop at the first operand, bad
options print ``<prog>: illegal option -- x``), calls the model, and prints with
``inv.out``/``inv.err``. :class:`MDError` from the model becomes the libmeta error text.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from ..model.errors import MDError, UsageError
from .files import FileAccess

if TYPE_CHECKING:
    from ..model.host import Host

ROOT_REQUIRED = "Permission denied.  You must have root privilege to execute this command."


class Output:
    """A byte sink that accepts text (commands print text; ufsdump may print bytes).

    Writes are also appended, tagged with ``fd``, to a ``journal`` shared by a command's
    stdout and stderr, so that ``2>&1`` shows them interleaved as the real command wrote them.
    """

    def __init__(self, fd: int = 1, journal: list[tuple[int, bytes]] | None = None) -> None:
        self.buffer = bytearray()
        self.fd = fd
        self.journal = journal if journal is not None else []

    def write(self, data: str | bytes) -> None:
        raw = data.encode() if isinstance(data, str) else bytes(data)
        self.buffer += raw
        if raw:
            self.journal.append((self.fd, raw))

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
        self.journal: list[tuple[int, bytes]] = []   # (1|2, bytes) in the order written
        self.stdout = Output(1, self.journal)
        self.stderr = Output(2, self.journal)
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
    """Solaris getopt(3C) for commands that stop at the first bad option.

    Returns ``(("-x", value), ...)`` pairs and the operands, like Python's getopt; a bad
    option has been reported as libc does (see :func:`sun_getopt`) and raises
    :class:`UsageError`.
    """
    opts, operands = sun_getopt(inv, inv.args if args is None else args, optstring,
                                stop_at_error=True)
    last = opts[-1] if opts else None
    if last is not None and last.char == "?" and (last.optopt != "?" or "?" not in optstring):
        raise UsageError(f"illegal option -- {last.optopt}")
    return [(f"-{o.char}", o.arg or "") for o in opts], operands


def atoi(text: str) -> int:
    """libc atoi(3C) on a 32-bit int: blanks, a sign, leading digits (0 when none); wraps."""
    rest = text.lstrip(" \t\n\v\f\r")
    negative = rest[:1] == "-"
    if rest[:1] in "+-":
        rest = rest[1:]
    n = 0
    for ch in rest:
        if not "0" <= ch <= "9":
            break
        n = (n * 10 + ord(ch) - 48) & 0xFFFFFFFF
    if negative:
        n = -n & 0xFFFFFFFF
    return n - (1 << 32) if n & 0x80000000 else n


def parse_int(text: str) -> int | None:
    """C-style integer (decimal, 0x hex, leading-0 octal); None if not a number."""
    try:
        return int(text, 0) if not (text.startswith("0") and text[1:].isdigit()) \
            else int(text, 8)
    except ValueError:
        return None


@dataclass
class Opt:
    """One getopt(3C) return: the option letter ("?" on an error), its argument, optopt."""

    char: str
    arg: str | None
    optopt: str


def sun_getopt(inv: Invocation, args: list[str], optstring: str,
               stop_at_error: bool = False) -> tuple[list[Opt], list[str]]:
    """Every getopt(3C) return for ``args``, then the operands (libc port/gen/getopt.c).

    Errors are printed the way libc prints them (``argv[0]`` as typed, not its basename)
    and come back as ``Opt("?", None, c)``; the caller decides whether they are fatal,
    as the C programs do. ``-?`` with ``?`` in ``optstring`` is ``Opt("?", None, "?")``.
    """
    argv0 = inv.argv[0] if inv.argv else inv.prog
    opts: list[Opt] = []
    i, sp = 0, 1
    while i < len(args):
        a = args[i]
        if sp == 1:
            if not a.startswith("-") or a == "-":
                break
            if a == "--":
                i += 1
                break
            if a.startswith("--"):          # a long option: none is known here
                inv.err(f"{argv0}: illegal option -- {a[2:]}")
                opts.append(Opt("?", None, "-"))
                i += 1
                if stop_at_error:
                    break
                continue
        c = a[sp]
        pos = -1 if c in ":(" else optstring.find(c)
        if pos < 0:
            inv.err(f"{argv0}: illegal option -- {c}")
            sp += 1
            if sp >= len(a):
                i, sp = i + 1, 1
            opts.append(Opt("?", None, c))
            if stop_at_error:
                break
            continue
        if optstring[pos + 1:pos + 2] == ":":
            if sp + 1 < len(a):
                opts.append(Opt(c, a[sp + 1:], c))
                i += 1
            elif i + 1 >= len(args):
                inv.err(f"{argv0}: option requires an argument -- {c}")
                opts.append(Opt("?", None, c))
                i += 1
                if stop_at_error:
                    break
            else:
                opts.append(Opt(c, args[i + 1], c))
                i += 2
            sp = 1
        else:
            opts.append(Opt(c, None, c))
            sp += 1
            if sp >= len(a):
                i, sp = i + 1, 1
    return opts, args[i:]
