"""The lab shell's own small programs: what a trainee reaches for besides SVM.

``cat``, ``more``/``pg``/``less`` (no pager: the text is printed), ``head``, ``tail``,
``grep``/``egrep``/``fgrep``, ``wc``, ``ls``, ``echo``, ``cd``, ``pwd``, ``date``,
``sleep`` (virtual: the host's clock moves, resyncs progress, nobody waits), ``hostname``,
``uname``, ``id``/``whoami``, ``clear``, ``true``/``false``. They work on the lab host's
in-memory files (:mod:`simulator.lab.files`), never on the machine running svmsim, and
print Solaris 10's texts for the common errors (``cat: cannot open FILE``, Bourne shell's
``FILE: does not exist`` for ``cd``) -- decided from the Solaris 10 utilities' messages
(illumos usr/src/cmd/cat/cat.c ``cannot open %s``, usr/src/cmd/head/head.c, usr/src/cmd/
grep/grep.c ``can't open %s``); options beyond the common ones answer "not simulated".
Each returns its exit status; ``Context`` is what a utility is handed.
"""

from __future__ import annotations

import re
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from simulator.core.units import parse_duration
from simulator.sunos.release import uname_output

if TYPE_CHECKING:
    from simulator.lab.files import LabFiles
    from simulator.session.session import Session


@dataclass
class Context:
    """What a utility gets: the lab host's files and session, the cwd, its streams."""

    files: LabFiles
    session: Session
    cwd: str
    stdin: bytes | None              # None: the terminal (nothing piped in)
    out: Callable[[bytes], None]
    err: Callable[[bytes], None]
    set_cwd: Callable[[str], None]

    def say(self, text: str) -> None:
        self.out(text.encode())

    def complain(self, text: str) -> None:
        self.err(text.encode())


Utility = Callable[[Context, list[str]], int]


def _flags(argv: list[str], known: str, ctx: Context) -> tuple[set[str], list[str]] | None:
    """Single-letter options (``-la``) up to the first operand or ``--``."""
    flags: set[str] = set()
    args = argv[1:]
    while args and args[0].startswith("-") and args[0] != "-":
        arg = args.pop(0)
        if arg == "--":
            break
        if re.fullmatch(r"-\d+", arg) and "N" in known:
            flags.add(arg)
            continue
        for ch in arg[1:]:
            if ch not in known:
                ctx.complain(f"{argv[0]}: illegal option -- {ch}\n"
                             f"{argv[0]}: the lab's {argv[0]} has only -{known.strip('N')}"
                             "\n")
                return None
            flags.add(ch)
    return flags, args


def _inputs(ctx: Context, name: str, paths: list[str]) -> list[tuple[str, bytes]] | None:
    """Operand files (or standard input): (name, contents); None after a failure."""
    if not paths:
        return [("", ctx.stdin or b"")]
    out: list[tuple[str, bytes]] = []
    failed = False
    for p in paths:
        try:
            out.append((p, ctx.files.read_bytes(p, ctx.cwd)))
        except IsADirectoryError:
            ctx.complain(f"{name}: {p}: Is a directory\n" if name != "cat" else
                         f"cat: input error on {p}: Is a directory\n")
            failed = True
        except OSError:
            ctx.complain(f"{name}: cannot open {p}\n")
            failed = True
    return None if failed and not out else out


def cat(ctx: Context, argv: list[str]) -> int:
    parsed = _flags(argv, "nsuv", ctx)
    if parsed is None:
        return 2
    _, paths = parsed
    status = 0
    for p in paths or ["-"]:
        if p == "-":
            ctx.out(ctx.stdin or b"")
            continue
        got = _inputs(ctx, "cat", [p])
        if got is None:
            status = 2
            continue
        ctx.out(got[0][1])
    return status


def head_tail(ctx: Context, argv: list[str]) -> int:
    name = argv[0]
    count = 10
    args = list(argv[1:])
    if "-f" in args:
        ctx.complain(f"{name}: -f is not simulated in the lab (time passes only when you run "
                     "a command or sleep: run it again, or sleep first)\n")
        return 2
    paths = []
    while args:
        a = args.pop(0)
        if re.fullmatch(r"[-+]\d+", a):
            count = int(a[1:])
        elif a == "-n" and args:
            count = int(re.sub(r"\D", "", args.pop(0)) or 10)
        elif a.startswith("-") and a != "-":
            ctx.complain(f"usage: {name} [-n number] [file...]\n")
            return 2
        else:
            paths.append(a)
    got = _inputs(ctx, name, paths)
    if got is None:
        return 2
    for i, (p, data) in enumerate(got):
        if len(got) > 1:
            ctx.say(("\n" if i else "") + f"==> {p} <==\n")
        lines = data.splitlines(keepends=True)
        chosen = lines[:count] if name == "head" else lines[-count:] if count else []
        ctx.out(b"".join(chosen))
    return 0


def grep(ctx: Context, argv: list[str]) -> int:
    """grep, egrep, fgrep: -i -v -c -n -l -h -s -w -e; the pattern as a Python regex
    (basic and extended expressions of the kind admins type read the same)."""
    name = argv[0]
    args = list(argv[1:])
    flags: set[str] = set()
    patterns: list[str] = []
    while args and args[0].startswith("-") and args[0] != "-":
        a = args.pop(0)
        if a == "--":
            break
        if a == "-e":
            if not args:
                ctx.complain(f"{name}: option requires an argument -- e\n")
                return 2
            patterns.append(args.pop(0))
            continue
        for ch in a[1:]:
            if ch not in "ivcnlhswE":
                ctx.complain(f"{name}: illegal option -- {ch}\n"
                             f"Usage: {name} [-c|-l|-q] [-bhinsvw] pattern file . . .\n")
                return 2
            flags.add(ch)
    if not patterns:
        if not args:
            ctx.complain(f"Usage: {name} [-c|-l|-q] [-bhinsvw] pattern file . . .\n")
            return 2
        patterns.append(args.pop(0))
    texts = [re.escape(p) if name == "fgrep" else
             p if name == "egrep" or "E" in flags else _bre(p) for p in patterns]
    if "w" in flags:
        texts = [rf"\b(?:{t})\b" for t in texts]
    try:
        rx = re.compile("|".join(f"(?:{t})" for t in texts),
                        re.IGNORECASE if "i" in flags else 0)
    except re.error:
        ctx.complain(f"{name}: RE error in {patterns[0]}\n")
        return 2
    status = 1
    got = _inputs(ctx, name, args)
    if got is None:
        return 2
    many = len(got) > 1 and "h" not in flags
    for p, data in got:
        count = 0
        for n, raw in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
            if bool(rx.search(raw)) == ("v" in flags):
                continue
            count += 1
            status = 0
            if "c" in flags or "l" in flags:
                continue
            ctx.say((f"{p}:" if many else "") + (f"{n}:" if "n" in flags else "") + raw + "\n")
        if "c" in flags:
            ctx.say((f"{p}:" if many else "") + f"{count}\n")
        elif "l" in flags and count:
            ctx.say(f"{p or '(standard input)'}\n")
    return status


def _bre(pattern: str) -> str:
    """A basic regular expression as Python reads it: ``\\(`` ``\\)`` ``\\{`` ``\\}`` group
    and count, bare ``( ) { } | + ?`` are literal."""
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern) and pattern[i + 1] in "(){}":
            out.append(pattern[i + 1])
            i += 2
            continue
        if c in "(){}|+?":
            out.append("\\" + c)
        else:
            out.append(c)
            if c == "\\" and i + 1 < len(pattern):
                out.append(pattern[i + 1])
                i += 1
        i += 1
    return "".join(out)


def wc(ctx: Context, argv: list[str]) -> int:
    parsed = _flags(argv, "lwc", ctx)
    if parsed is None:
        return 2
    flags, paths = parsed
    got = _inputs(ctx, "wc", paths)
    if got is None:
        return 2
    which = [f for f in "lwc" if f in flags] or ["l", "w", "c"]
    for p, data in got:
        counts = {"l": data.count(b"\n"), "w": len(data.split()), "c": len(data)}
        ctx.say("".join(f"{counts[f]:>8}" for f in which) + (f" {p}" if p else "") + "\n")
    return 0


def echo(ctx: Context, argv: list[str]) -> int:
    ctx.say(" ".join(argv[1:]) + "\n")
    return 0


def ls(ctx: Context, argv: list[str]) -> int:
    parsed = _flags(argv, "ladL1F", ctx)
    if parsed is None:
        return 2
    flags, paths = parsed
    status = 0
    files = ctx.files
    for i, p in enumerate(paths or ["."]):
        kind = files.kind(p, ctx.cwd, follow=False)
        if not kind:
            ctx.complain(f"{p}: No such file or directory\n")
            status = 2
            continue
        if kind == "dir" and "d" not in flags:
            names = [n for n in files.listdir(p, ctx.cwd) if "a" in flags or
                     not n.startswith(".")]
            if len(paths) > 1:
                ctx.say(("\n" if i else "") + f"{p}:\n")
            if "l" in flags:
                ctx.say(f"total {2 * len(names)}\n")
            for n in names:
                full = p.rstrip("/") + "/" + n if p != "/" else "/" + n
                ctx.say(_ls_line(ctx, full, n) if "l" in flags else n + "\n")
        else:
            ctx.say(_ls_line(ctx, p, p) if "l" in flags else p + "\n")
    return status


def _ls_line(ctx: Context, path: str, shown: str) -> str:
    st = ctx.files.stat(path, ctx.cwd)
    mode = st.st_mode                                   # type: ignore[attr-defined]
    kind = ("d" if stat.S_ISDIR(mode) else "b" if stat.S_ISBLK(mode) else
            "c" if stat.S_ISCHR(mode) else "l" if stat.S_ISLNK(mode) else "-")
    perms = "".join(ch if mode & bit else "-" for ch, bit in zip(
        "rwxrwxrwx", (0o400, 0o200, 0o100, 0o40, 0o20, 0o10, 0o4, 0o2, 0o1), strict=True))
    when = time.strftime("%b %e %H:%M", ctx.session.host.clock.localtime(
        ctx.session.host.clock.now))
    size = st.st_size                                   # type: ignore[attr-defined]
    if kind in "bc":
        return f"{kind}{perms}   1 root     sys       85,  1 {when} {shown}\n"
    return f"{kind}{perms}   1 root     root     {size:>8} {when} {shown}\n"


def cd(ctx: Context, argv: list[str]) -> int:
    target = argv[1] if len(argv) > 1 else "/"
    where = ctx.files.absolute(target, ctx.cwd)
    if ctx.files.kind(where, "/") != "dir":
        ctx.complain(f"{target}: does not exist\n")
        return 1
    ctx.set_cwd(where)
    return 0


def pwd(ctx: Context, argv: list[str]) -> int:
    ctx.say(ctx.cwd + "\n")
    return 0


def date(ctx: Context, argv: list[str]) -> int:
    fmt = next((a[1:] for a in argv[1:] if a.startswith("+")), None)
    if any(not a.startswith("+") for a in argv[1:]):
        ctx.complain("date: setting the date is not simulated (the clock is the lab's)\n")
        return 1
    ctx.say(ctx.session.host.clock.date(fmt) + "\n")
    return 0


def sleep(ctx: Context, argv: list[str]) -> int:
    if len(argv) != 2:
        ctx.complain("usage: sleep time\n")
        return 2
    try:
        seconds = parse_duration(argv[1])
    except ValueError:
        ctx.complain("sleep: bad character in argument\n")
        return 2
    ctx.session.sleep(seconds)
    return 0


def hostname(ctx: Context, argv: list[str]) -> int:
    if len(argv) > 1:
        ctx.complain("hostname: setting the host name is not simulated\n")
        return 1
    ctx.say(ctx.session.host.hostname + "\n")
    return 0


def uname(ctx: Context, argv: list[str]) -> int:
    host = ctx.session.host
    out, err, code = uname_output(host.release, host.hostname, argv[1:])
    ctx.say(out)
    ctx.complain(err)
    return code


def ident(ctx: Context, argv: list[str]) -> int:
    ctx.say("root\n" if argv[0] == "whoami" else "uid=0(root) gid=0(root)\n")
    return 0


def true(ctx: Context, argv: list[str]) -> int:
    return 0 if argv[0] == "true" else 1


def clear(ctx: Context, argv: list[str]) -> int:
    ctx.say("\x1b[H\x1b[2J")
    return 0


UTILITIES: dict[str, Utility] = {
    "cat": cat, "more": cat, "pg": cat, "less": cat, "head": head_tail, "tail": head_tail,
    "grep": grep, "egrep": grep, "fgrep": grep, "wc": wc, "echo": echo, "ls": ls, "cd": cd,
    "pwd": pwd, "date": date, "sleep": sleep, "hostname": hostname, "uname": uname,
    "id": ident, "whoami": ident, "true": true, "false": true, "clear": clear,
}
