"""``metastat -p``: the metadevices and hot spare pools, as md.tab lines.

Read with libmeta's own md.tab reader (:func:`simulator.lvm.libmeta.mdtab.parse_mdtab`:
meta_tab.c's comments, backslash continuations and line numbers, meta_init.c's
meta_get_init_type) and its number and option primitives (``scan_uint``,
``parse_interlace``, the restarted getopt of :class:`SubOpts`); only the layout of each
kind's arguments is spelled out here, as the print functions write them:

- meta_stripe.c stripe_print: ``dN nrows ncomp comp... [-i Nb] \\ ...  [-h hspNNN]``;
- meta_mirror.c mirror_print: ``dM -m dS... [-g|-r] [-S] pass``;
- meta_sp.c meta_sp_short_print: ``dN -p comp -o off -b len  [-o off -b len ] ...``;
- meta_hotspares.c hsp_print: ``hspNNN [comp...]``.

What the simulator cannot be (refused with the line, :class:`Unimportable`): a metadevice
of a named diskset (``setname/dN``, printed by ``metastat -s``), RAID-5 (``-r``), trans
metadevices (``-t``) and Sun Cluster DID devices (``/dev/did/rdsk/...``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from simulator.core.names import SLICE_RE
from simulator.importer.captures import Capture, CaptureError, Unimportable, where
from simulator.lvm.errors import MDError
from simulator.lvm.libmeta.mdtab import (
    TAB_HSP,
    TAB_MIRROR,
    TAB_RAID,
    TAB_SP,
    TAB_STRIPE,
    TAB_TRANS,
    SubOpts,
    TabLine,
    parse_interlace,
    parse_mdtab,
    scan_uint,
)

_WHAT = {TAB_RAID: "a RAID-5 metadevice (-r): not simulated",
         TAB_TRANS: "a trans metadevice (-t, UFS logging on a metadevice): not simulated"}


@dataclass
class StripeLine:
    name: str
    rows: list[tuple[list[str], int | None]]      # components, interlace (blocks)
    hsp: str | None
    lineno: int


@dataclass
class MirrorLine:
    name: str
    submirrors: list[str]
    read: str
    write: str
    pass_num: int
    lineno: int


@dataclass
class SoftPartLine:
    name: str
    component: str
    extents: list[tuple[int, int]]
    lineno: int


@dataclass
class HspLine:
    name: str
    spares: list[str]
    lineno: int


@dataclass
class Config:
    """What ``metastat -p`` says, each kind in the order it was printed."""

    stripes: list[StripeLine] = field(default_factory=list)
    mirrors: list[MirrorLine] = field(default_factory=list)
    softparts: list[SoftPartLine] = field(default_factory=list)
    hsps: list[HspLine] = field(default_factory=list)
    order: list[str] = field(default_factory=list)     # every name, as printed

    def unit_names(self) -> set[str]:
        return ({u.name for u in self.stripes} | {u.name for u in self.mirrors}
                | {u.name for u in self.softparts})


def without_banner(text: str) -> str:
    """The text without the stale-database banner metastat prints first (cmd/lvm/util/
    metastat.c, ``STALE_BANNER`` of :mod:`simulator.lvm.cmd.metastat`), each of its lines
    left blank so that line numbers stay those of the capture."""
    lines = text.splitlines()
    if lines[:1] == ["****"] and len(lines) >= 3 and lines[1].startswith("WARNING: Stale") \
            and lines[2] == "****":
        lines[:3] = ["", "", ""]
    return "".join(line + "\n" for line in lines)


def parse_metastat_p(cap: Capture) -> Config:
    """The configuration ``metastat -p`` printed; :class:`Unimportable` for what the
    simulator cannot be, :class:`CaptureError` for text that is not ``metastat -p``."""
    cap = Capture(cap.source, without_banner(cap.text))
    for lineno, text in enumerate(cap.lines(), 1):
        first = text.split()[0] if text.strip() and not text[0].isspace() else ""
        if "/" in first and not first.startswith("#"):
            raise _refuse(cap, lineno, f"{first} belongs to a named diskset (metastat -s): "
                          "disksets are not simulated in scenarios")
    try:
        lines = parse_mdtab(cap.text, cap.source)
    except MDError:
        raise CaptureError(f"{cap.source}: not metastat -p output (a line does not start "
                           "with a metadevice or hot spare pool name)") from None
    if not lines:
        raise CaptureError(f"{cap.source}: empty: metastat -p printed no metadevice "
                           "(no configuration to import)")
    cfg = Config()
    for line in lines:
        lineno = int(line.context.rsplit(" ", 1)[-1])
        _one(cap, cfg, line, lineno)
    return cfg


def _bad(cap: Capture, lineno: int, why: str) -> CaptureError:
    return CaptureError(f"{where(cap, lineno)}: {why}")


def _refuse(cap: Capture, lineno: int, why: str) -> Unimportable:
    return Unimportable(f"{where(cap, lineno)}: cannot be imported: {why}")


def _component(cap: Capture, lineno: int, token: str) -> str:
    if token.startswith("/dev/did/"):
        raise _refuse(cap, lineno, f"{token} is a Sun Cluster DID device: not simulated")
    name = token.removeprefix("/dev/dsk/").removeprefix("/dev/rdsk/")
    name = name.removeprefix("/dev/md/dsk/").removeprefix("/dev/md/rdsk/")
    if "/" in name:
        raise _refuse(cap, lineno, f"{token} belongs to a named diskset: disksets are not "
                      "simulated in scenarios")
    return name


def _one(cap: Capture, cfg: Config, line: TabLine, lineno: int) -> None:
    argv = line.argv
    if "/" in argv[0]:
        raise _refuse(cap, lineno, f"{argv[0]} belongs to a named diskset (metastat -s): "
                      "disksets are not simulated in scenarios")
    if line.type in _WHAT:
        raise _refuse(cap, lineno, _WHAT[line.type])
    name = line.cname
    cfg.order.append(name)
    if line.type == TAB_HSP:
        cfg.hsps.append(HspLine(name, [_component(cap, lineno, t) for t in argv[1:]], lineno))
    elif line.type == TAB_MIRROR:
        cfg.mirrors.append(_mirror(cap, lineno, name, argv[2:]))
    elif line.type == TAB_SP:
        cfg.softparts.append(_softpart(cap, lineno, name, argv[2:]))
    elif line.type == TAB_STRIPE:
        cfg.stripes.append(_stripe(cap, lineno, name, argv[1:]))
    else:
        raise _bad(cap, lineno, "not a metadevice metastat -p prints")


def _stripe(cap: Capture, lineno: int, name: str, args: list[str]) -> StripeLine:
    """stripe_print's ``nrows ncomp comp... [-i Nb]`` per row, then ``[-h hsp]``."""
    nrow = scan_uint(args[0])
    if nrow is None or nrow < 1:
        raise _bad(cap, lineno, f"{args[0]!r}: not a row count")
    args = args[1:]
    rows: list[tuple[list[str], int | None]] = []
    for _ in range(nrow):
        ncomp = scan_uint(args[0]) if args else None
        if ncomp is None or ncomp < 1 or len(args) < ncomp + 1:
            raise _bad(cap, lineno, "a row without its component count and components")
        comps = [_component(cap, lineno, t) for t in args[1:ncomp + 1]]
        args = args[ncomp + 1:]
        interlace = None
        getopts = SubOpts(args, "i:")
        got = getopts.next()
        if got is not None and got[0] == "i":
            try:
                interlace = parse_interlace(name, got[1] or "")
            except MDError:
                raise _bad(cap, lineno, f"{got[1]!r}: not an interlace") from None
            args = args[getopts.optind:]
        rows.append((comps, interlace))
    hsp = None
    if args[:1] == ["-h"] and len(args) >= 2:
        hsp, args = args[1], args[2:]
    if args:
        raise _bad(cap, lineno, f"{args[0]!r}: not part of a concat/stripe line")
    return StripeLine(name, rows, hsp, lineno)


def _mirror(cap: Capture, lineno: int, name: str, args: list[str]) -> MirrorLine:
    """mirror_print's ``dS... [-g|-r] [-S] pass``."""
    subs: list[str] = []
    while args and not args[0].startswith("-") and not args[0][:1].isdigit():
        subs.append(_component(cap, lineno, args[0]))
        args = args[1:]
    read, write = "roundrobin", "parallel"
    while args and args[0] in ("-g", "-r", "-S"):
        if args[0] == "-S":
            write = "serial"
        else:
            read = "geometric" if args[0] == "-g" else "first"
        args = args[1:]
    pass_num = scan_uint(args[0]) if len(args) == 1 else None
    if not subs or pass_num is None:
        raise _bad(cap, lineno, "not a mirror line (dM -m dS... [-g|-r] [-S] pass)")
    return MirrorLine(name, subs, read, write, pass_num, lineno)


def _softpart(cap: Capture, lineno: int, name: str, args: list[str]) -> SoftPartLine:
    """meta_sp_short_print's ``comp -o off -b len`` (one pair per extent)."""
    if not args or args[0].startswith("-"):
        raise _bad(cap, lineno, "a soft partition line without its component")
    comp = _component(cap, lineno, args[0])
    extents: list[tuple[int, int]] = []
    rest = args[1:]
    while len(rest) >= 4 and rest[0] == "-o" and rest[2] == "-b":
        off, length = scan_uint(rest[1]), scan_uint(rest[3])
        if off is None or length is None or off < 1 or length < 1:
            raise _bad(cap, lineno, "an extent that is not -o OFFSET -b BLOCKS")
        extents.append((off, length))
        rest = rest[4:]
    if rest or not extents:
        raise _bad(cap, lineno, "not a soft partition line (dN -p comp -o off -b blocks...)")
    return SoftPartLine(name, comp, extents, lineno)


def slices_of(cfg: Config) -> list[str]:
    """Every slice the configuration names (components, spares), in order, once each."""
    out: dict[str, None] = {}
    for st in cfg.stripes:
        for comps, _ in st.rows:
            out.update((c, None) for c in comps if SLICE_RE.match(c))
    for sp in cfg.softparts:
        if SLICE_RE.match(sp.component):
            out[sp.component] = None
    for pool in cfg.hsps:
        out.update((c, None) for c in pool.spares)
    return list(out)
