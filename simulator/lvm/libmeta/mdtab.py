"""md.tab syntax and the metainit argument grammar (meta_tab.c, meta_init.c).

``/etc/lvm/md.tab`` is read the way libmeta's meta_tab.c ``parse_tab`` reads it: a ``#`` in
the first column comments out the rest of that line, a backslash right before the newline
joins the next line, tokens are split on white space, and every entry remembers the line it
started on (``/etc/lvm/md.tab line 7``, the context libmeta puts in front of errors).

The helpers below reproduce the C parsing primitives metainit relies on: ``sscanf("%u")``
style numbers, ``parse_interlace`` (meta_init.c), the soft partition size parser
(meta_sp.c ``meta_sp_parsesize``), ``meta_cook_syntax`` error names and the Solaris getopt
loop that libmeta restarts at ``optind = 0`` for every group of options.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from simulator.lvm import errors as E
from simulator.lvm.errors import MDError
from simulator.lvm.libmeta.names import canonical_name

MDTAB_PATH = "/etc/lvm/md.tab"

# meta_get_init_type() results (meta_init.c); TAB_MD_HSP is every kind metainit -a builds
TAB_HSP, TAB_MIRROR, TAB_RAID, TAB_SP, TAB_TRANS = "hsp", "mirror", "raid", "sp", "trans"
TAB_MDDB, TAB_STRIPE, TAB_UNKNOWN = "mddb", "stripe", "unknown"
TAB_MD_HSP = (TAB_HSP, TAB_MIRROR, TAB_RAID, TAB_SP, TAB_TRANS, TAB_STRIPE)


@dataclass
class TabLine:
    """One md.tab entry: its tokens, ``<file> line N``, canonical name and kind."""

    argv: list[str]
    context: str
    cname: str
    type: str


# ---------------------------------------------------------------------------- numbers
def scan_uint(token: str) -> int | None:
    """``sscanf(token, "%u")`` as a signed int (the callers test ``(int)n < 0``).

    Leading blanks and a sign are accepted and trailing garbage is ignored, as in C;
    None when no digits could be read.
    """
    m = re.match(r"\s*([+-]?)(\d+)", token)
    if m is None:
        return None
    value = _mod_decimal(m.group(2), 2**32)
    if m.group(1) == "-":
        value = (-value) % 2**32
    return value - 2**32 if value >= 2**31 else value


def _mod_decimal(digits: str, modulus: int) -> int:
    """``int(digits) % modulus`` for any number of digits (Python refuses to convert more
    than 4,300 at once; the C scan just wraps)."""
    value = 0
    for i in range(0, len(digits), 1000):
        chunk = digits[i:i + 1000]
        value = (value * 10 ** len(chunk) + int(chunk)) % modulus
    return value


def scan_ulonglong(token: str) -> tuple[int, str] | None:
    """``sscanf(token, "%llu%c")``: the number and the character after it ('' if none)."""
    m = re.match(r"\s*([+-]?)(\d+)(.?)", token, re.S)
    if m is None:
        return None
    value = _mod_decimal(m.group(2), 2**64)
    if m.group(1) == "-":
        value = (-value) % 2**64
    return value, m.group(3)


def cook_syntax(text: str, uname: str | None, token: str | None) -> MDError:
    """meta_cook_syntax(): the name becomes ``uname: "token"`` (or ``"token"``/``uname``)."""
    if token:
        name = f'{uname}: "{token}"' if uname else f'"{token}"'
        return MDError(text, name=name)
    return MDError(text, name=uname or None)


def parse_interlace(uname: str, token: str) -> int:
    """meta_init.c parse_interlace: bytes (multiple of 512) or a number with b/k/m (blocks)."""
    scanned = scan_ulonglong(token)
    if scanned is None:
        raise cook_syntax(E.INVALID_INTERLACE, uname, token)
    num, suffix = scanned
    if suffix == "":
        if num & 511:
            raise cook_syntax(E.INVALID_INTERLACE, uname, token)
        return num // 512
    factor = {"b": 1, "k": 2, "m": 2048}.get(suffix.lower())
    if factor is None:
        raise cook_syntax(E.INVALID_INTERLACE, None, token)
    return num * factor


def parse_sp_size(token: str) -> int | None:
    """meta_sp.c meta_sp_parsesize: ``all`` is 0, else ``<n>[bkmgt]`` in blocks; None if bad."""
    if token.lower() == "all":
        return 0
    m = re.match(r"\s*[+]?(\d+)([BbKkMmGgTt])", token)
    if m is None:
        return None
    num = int(m.group(1))
    if num == 0 or num > 1 << 55:
        return None
    shift = {"b": 0, "k": 10, "m": 20, "g": 30, "t": 40}[m.group(2).lower()]
    if shift == 0:
        return num
    return ((num << shift) + 511) // 512


# ---------------------------------------------------------------------------- getopt
class SubOpts:
    """libmeta's option loops: ``optind = 0; while ((c = getopt(argc, argv, ...)) != -1)``.

    Solaris getopt then looks at ``argv[0]`` itself. :meth:`next` returns the next option
    letter and its argument, ``("?", None)`` for an unknown letter or a missing argument,
    or None at the first operand. ``old_optind`` is the index the failing call started from
    (where libmeta rewinds to), ``optind`` the index of the first unconsumed token.
    """

    def __init__(self, args: list[str], optstring: str) -> None:
        self.args = args
        self.optstring = optstring
        self.optind = 0
        self.old_optind = 0
        self._sp = 1

    def next(self) -> tuple[str, str | None] | None:
        self.old_optind = self.optind
        args = self.args
        if self._sp == 1:
            if self.optind >= len(args) or not args[self.optind].startswith("-") \
                    or args[self.optind] == "-":
                return None
            if args[self.optind] == "--":
                self.optind += 1
                return None
        token = args[self.optind]
        c = token[self._sp]
        pos = self.optstring.find(c) if c not in ":(" else -1
        if pos < 0:
            self._sp += 1
            if self._sp >= len(token):
                self.optind += 1
                self._sp = 1
            return "?", None
        if pos + 1 < len(self.optstring) and self.optstring[pos + 1] == ":":
            if self._sp + 1 < len(token):
                arg = token[self._sp + 1:]
                self.optind += 1
            else:
                self.optind += 1
                if self.optind >= len(args):
                    self._sp = 1
                    return "?", None
                arg = args[self.optind]
                self.optind += 1
            self._sp = 1
            return c, arg
        self._sp += 1
        if self._sp >= len(token):
            self._sp = 1
            self.optind += 1
        return c, None


def first_is_option(args: list[str]) -> bool:
    """``getopt(argc, argv, "") != -1``: the next token looks like an option."""
    return SubOpts(args, "").next() is not None


# ---------------------------------------------------------------------------- md.tab
def init_type(argv: list[str]) -> str:
    """meta_init.c meta_get_init_type: what kind of metadevice an argument list creates."""
    if len(argv) == 1:
        return TAB_HSP
    arg = argv[1]
    kinds = {"-m": TAB_MIRROR, "-r": TAB_RAID, "-p": TAB_SP, "-t": TAB_TRANS}
    if arg in kinds:
        return kinds[arg]
    if re.fullmatch(r"mddb\d+", argv[0]):
        return TAB_MDDB
    nrow = scan_uint(arg)
    if nrow is not None and nrow >= 0:
        return TAB_STRIPE
    return TAB_HSP


def parse_mdtab(text: str, filename: str = MDTAB_PATH) -> list[TabLine]:
    """meta_tab.c parse_tab: the entries of an md.tab text.

    Raises ``<file>: syntax error`` when an entry does not start with a legal name.
    """
    data = text + "\n"
    lines: list[TabLine] = []
    lineno = 1
    p = 0
    end = len(data)
    while p < end:
        context = f"{filename} line {lineno}"
        if data[p] == "#":
            p = data.index("\n", p)
        # coalesce backslash-newline continuations of this logical line
        t = p
        while data[t] != "\n":
            if data[t] == "\\" and data[t + 1] == "\n":
                data = data[:t] + "  " + data[t + 2:]
                lineno += 1
            t += 1
        while data[p] != "\n" and data[p].isspace():
            p += 1
        if data[p] == "\n":
            p += 1
            lineno += 1
            continue
        nl = data.index("\n", p)
        argv = data[p:nl].split()
        p = nl + 1
        lineno += 1
        cname = canonical_name(argv[0])
        if cname is None:
            raise MDError(E.SYNTAX, name=filename)
        lines.append(TabLine(argv, context, cname, init_type(argv)))
    return lines


def find_line(lines: list[TabLine], cname: str) -> TabLine | None:
    """meta_tab_find: the metadevice or hot spare pool entry named ``cname``."""
    for line in lines:
        if line.type in TAB_MD_HSP and line.cname == cname:
            return line
    return None
