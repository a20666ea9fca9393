"""df(1M): report free disk space (usr/src/cmd/fs.d/df.c, the non-XPG4 /usr/sbin/df).

Default form ``%-19s(%-18s):%8s blocks %8s files``; ``-k`` the ``Filesystem kbytes used
avail capacity Mounted on`` table (capacity ``%5.0f%%`` of used/(used+avail), rounded up);
``-h`` scaled sizes; ``-n`` the file system type; ``-b``/``-e`` free space and free inodes.
Numbers for a UFS come from its image (statvfs: fragments of ``fs_fsize``, minfree reserved).

Options are df.c parse_options(): ``getopt(3C) "F:o:abehkVtgnlvZ"`` with ``opterr = 0``, so
a bad option or a missing argument is df's own ``df: unknown option: <c>`` and the usage
(exit 1); a second ``-F`` is ``more than one FSType specified``, a second ``-o`` ``the -o
option can only be specified once`` (both with the usage); ``-o`` with ``-g``, ``-l``,
``-n`` or ``-h`` is ``-o and -<x> options are incompatible`` (exit 1).
"""

from __future__ import annotations

from simulator.core.coverage import Coverage
from simulator.core.errors import CommandExit, UsageError
from simulator.core.invocation import Invocation
from simulator.core.libc import sun_getopt
from simulator.core.strerror import SysError
from simulator.ufs.filesystems import FileSystems

OPTSTRING = "F:o:abehkVtgnlvZ"       # df.c parse_options(), not XPG4

PSEUDO_SIZES = {"tmpfs": (4194304, 1024)}     # swap-backed: KB total, KB used


COVERAGE = Coverage(
    source=("usr/src/cmd/fs.d/df.c",),
    getopt=(OPTSTRING,),
    options=(
        "-k: the kbytes table",
        "-h: sizes scaled (K, M, G...)",
        "-n: the file system type",
        "-b: free space",
        "-e: free inodes",
        "-a: also the ignore entries of mnttab",
        "-F FSType: checked (one only)",
        "-o specific_options: checked (once, not with -g -l -n -h)",
        "resource: a directory, block device or mounted resource: the file system holding it",
    ),
    not_simulated=(
        "-g -l -t -v -V -Z: read, then the default form",
        "the XPG4 df (/usr/xpg4/bin/df)",
        "sizes of file systems other than UFS (tmpfs is fixed; others are 0)",
    ),
    messages=(
        "Usage: <prog> [-F FSType] [-abeghklntVvZ] [-o FSType-specific_options] "
        "[directory | block_device | resource]",
        "<prog>: unknown option: <c>",
        "<prog>: more than one FSType specified",
        "<prog>: the -o option can only be specified once",
        "<prog>: -o and -<x> options are incompatible",
        "<prog>: (<arg>) not a block device, directory or mounted resource",
    ),
)


def usage(inv: Invocation) -> int:
    inv.err(f"Usage: {inv.prog} [-F FSType] [-abeghklntVvZ] [-o FSType-specific_options]"
            " [directory | block_device | resource]")
    return 1


def _statvfs(fs: FileSystems, special: str, mp: str, typ: str) -> tuple[int, int, int, int,
                                                                          int, int]:
    """(frsize, blocks, bfree, bavail, files, ffree)."""
    ufs = next((f for f in fs.mounted_ufs() if f.mount == mp), None)
    if typ == "ufs" and ufs is not None:
        img = ufs.live
        free_frags, bfree_blocks = img.free_counts()
        frag = 8192 // img.fsize
        bfree = free_frags + frag * bfree_blocks
        reserve = img.dsize * img.geometry.minfree // 100
        files = img.geometry.ninodes
        return (img.fsize, img.dsize, bfree, max(0, bfree - reserve), files,
                max(0, files - img.nfiles))
    if typ in PSEUDO_SIZES:
        total, used = PSEUDO_SIZES[typ]
        return (1024, total, total - used, total - used, 262144, 261000)
    return (512, 0, 0, 0, 0, 0)


def _scaled(number: int, unit_from: int) -> str:
    """df.c number_to_scaled_string() with scale 1024."""
    n = number * unit_from // 1024
    uom = "KMGTPE"
    i, save = 0, 0
    while n >= 1024 and uom[i] != "E":
        i += 1
        save = n
        n = (n + 512) // 1024
    if save and save // 1024 < 10:
        return f"{save / 1024:2.1f}{uom[i]}"
    return f"{n:4d}{uom[i]}"


def parse_options(inv: Invocation) -> tuple[set[str], list[str]]:
    """df.c parse_options(): the option letters given (as ``-x``) and the operands."""
    opts, args = sun_getopt(inv, inv.args, OPTSTRING, deferred=True)
    given: set[str] = set()
    for opt in opts:
        if opt.char == "?":
            inv.err(f"{inv.prog}: unknown option: {opt.optopt}")
            raise UsageError
        if opt.char in "Fo" and f"-{opt.char}" in given:
            inv.err(f"{inv.prog}: " + ("more than one FSType specified" if opt.char == "F"
                                      else "the -o option can only be specified once"))
            raise UsageError
        given.add(f"-{opt.char}")
    if "-o" in given:
        for x in "glnh":
            if f"-{x}" in given:
                inv.err(f"{inv.prog}: -o and -{x} options are incompatible")
                raise CommandExit(1)
    return given, args


def main(inv: Invocation) -> int:
    o, args = parse_options(inv)
    fs: FileSystems = inv.host.fs
    entries = fs.mnttab_entries()
    errors = 0
    requests: list[tuple[str, str, str, str]] = []
    if not args:
        for special, mp, typ, opts_, _t in entries:
            if typ == "swap" or ("ignore" in opts_.split(",") and "-a" not in o):
                continue
            requests.append((special, mp, typ, opts_))
    else:
        for arg in args:
            found = None
            for special, mp, typ, opts_, _t in reversed(entries):
                if arg == special:
                    found = (special, mp, typ, opts_)
                    break
            if found is None:
                try:
                    holder, _rel = fs.resolve(arg, inv.cwd)
                except SysError:
                    inv.err(f"{inv.prog}: ({arg:<10s}) not a block device, directory or "
                            "mounted resource")
                    errors += 1
                    continue
                full = arg if arg.startswith("/") else inv.cwd.rstrip("/") + "/" + arg
                best = max((e for e in entries if full == e[1] or full.startswith(
                    e[1].rstrip("/") + "/")), key=lambda e: len(e[1]))
                found = (best[0], best[1], best[2], best[3])
                del holder
            requests.append(found)
    header = False
    for special, mp, typ, _opts in requests:
        frsize, blocks, bfree, bavail, files, ffree = _statvfs(fs, special, mp, typ)
        used = blocks - bfree
        cap = 0.0 if blocks == 0 else used / (blocks - (bfree - bavail)) * 100.0 + 0.5
        capacity = f"{cap:5.0f}%"
        if "-h" in o:
            if not header:
                inv.out(f"{'Filesystem':<20} {'size':>6} {'used':>6} {'avail':>6} "
                        f"{'capacity':<9} Mounted on")
                header = True
            inv.out(f"{special:<20} {_scaled(blocks, frsize):>6} {_scaled(used, frsize):>6} "
                    f"{_scaled(bavail, frsize):>6} {capacity:<9} {mp}")
        elif "-k" in o:
            if not header:
                inv.out(f"{'Filesystem':<20} {'kbytes':>7} {'used':>7} {'avail':>7} "
                        f"{'capacity':<9} Mounted on")
                header = True
            name = special
            inv.out(f"{name:<20} {blocks * frsize // 1024:>7} {used * frsize // 1024:>7} "
                    f"{bavail * frsize // 1024:>7} {capacity:<9} {mp}")
        elif "-n" in o:
            inv.out(f"{mp:<19}: {typ:<8}")
        elif "-b" in o and "-e" not in o:
            if not header:
                inv.out(f"{'Filesystem':<20} {'avail':>8}")
                header = True
            inv.out(f"{special:<20} {bfree * frsize // 1024:>8}")
        elif "-e" in o and "-b" not in o:
            if not header:
                inv.out(f"{'Filesystem':<20} {'ifree':>8}")
                header = True
            inv.out(f"{special:<20} {ffree:>8}")
        else:
            inv.out(f"{mp:<19}({special:<18}):{bfree * frsize // 512:>8} blocks "
                    f"{ffree:>8} files")
    return errors
