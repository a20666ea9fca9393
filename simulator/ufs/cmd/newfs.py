"""newfs(1M): construct a new UFS (illumos usr/src/cmd/fs.d/ufs/newfs/newfs.c, which runs
``mkfs -F ufs``: the generic usr/src/cmd/fs.d/mkfs.c, then usr/src/cmd/fs.d/ufs/mkfs/mkfs.c).

Hand-written to match Solaris byte for byte (the texts and layouts are printf formats).

newfs.c main(): ``getopt(argc, argv, "vNBSs:C:d:t:o:a:b:f:c:m:n:r:i:T")`` with ``opterr = 0``
(libc prints nothing): an unknown option, or one missing its argument, is ``usage()`` and
``newfs: -<c>: unknown flag`` (exit 10); not exactly one operand is ``usage()``, exit 1. Each
numeric option goes through newfs's ``number()``: ``newfs: bad numeric arg for <param>:
"<value>"`` (exit 10), ``newfs: value for <param> overflowed, using <default>``, then its
range check (``<value>: bad free space %`` ...). The operand is made a raw name by libadm's
getfullrawname (fulldevnm.c): a path that is no device is ``newfs: <name>: No such file or
directory`` (exit 2) or, when it exists, ``newfs: <name>: not a raw disk device`` (exit 10); a
bare name is tried as ``/dev/rdsk/<name>`` then ``/dev/<name>``.

Confirmation (newfs.c): only when standard input is a terminal and not ``-N``: ``newfs:
<raw> last mounted as <mnt>`` when the device holds a UFS that was mounted, then ``newfs:
construct a new file system <raw>: (y/n)? `` (stdout, no newline); yes() reads one line and
anything not starting with ``y`` (end of file included) exits 0 having done nothing. With
standard input not a terminal (a pipe, ``< /dev/null``, a script's ``echo y |``) newfs asks
nothing and goes ahead, as the real one does.

In-use checks, in the order the commands make them (all skipped with ``-N``):

- the generic mkfs (fs.d/mkfs.c) asks libdiskmgt ``dm_inuse(DM_WHO_MKFS)`` about the block
  device and prints its text, exit 2: a mounted slice (inuse_mnt.c, first detector of
  slice.c) ``<dev> is currently mounted on <mnt>. Please see umount(1M).``; a slice SVM uses
  (inuse_svm.c; its list is searched newest first, so hot spares, then soft partitions, then
  stripe components, then replicas) ``<dev> is part of SVM volume hs|sp:dN|stripe:dN.
  Please see metaclear(1M).`` or ``<dev> contains an SVM mdb. Please see metadb(1M).``
  (entry.c dm_get_usage_string). libdiskmgt knows no metadevice, so these are slices only;
- ufs mkfs.c: a mounted device is ``<dev> is mounted, can't mkfs`` (exit 32); then
  ``creat64`` of the raw device, which md.c mdopen refuses for a submirror (EROFS):
  ``<raw>: cannot create: Read-only file system`` (exit 32).

newfs exits with mkfs's status (``exit(status >> 8)``).

The summary (mkfs.c, all on stderr): ``<raw>:\\t<n> sectors in <c> cylinders of <t> tracks,
<s> sectors``, ``\\t<MB>MB in <g> cyl groups (<c/g> c/g, <MB/g>MB/g, <i/g> i/g)``, ``super-block
backups (for fsck -F ufs -o b=#) at:`` and the first ten backups (`` <n>,`` each, lines kept
under 80 columns); past 310 groups ``Initializing cylinder groups:``, a dot every 50 groups
and ``super-block backups for last 10 cylinder groups at:``; the last ten (the last with no
comma). Before it, the warnings for a partial last cylinder (``Warning: <n> sector(s) in
last cylinder unallocated``) or a last group too small for its inodes (which mkfs drops).

Layout (decided, one rule with the model): every simulated disk is larger than mkfs.c's
CHSLIMIT (8 GB), so newfs passes ``ntrack -1`` and mkfs lays the file system out with the
EFI defaults -- 128 sectors, 48 tracks, 16 cylinders (48 MB) a group -- which is what
:meth:`simulator.ufs.image.Geometry.for_device` assumes (the fragment size and the
multi-terabyte switch are taken from it). mkfs.c's own arithmetic then gives the rest:
inodes a group ``roundup((cpg * bytes a cylinder - used) / nbpi, INOPB)`` with newfs.c's
nbpi (2048 bytes an inode under 1 GB, 2048 a started GB, at most 8192), cylinders a group
cut down until the inodes (MAXIpG) and the cylinder group block (CGSIZE, a 32-bit mkfs:
``sizeof (struct cg)`` 172, ``sizeof (long)`` 4) fit, and the backups at ``cgsblock``. A
metadevice under 8 GB on a real host would be laid out from md's geometry (its first
component's heads and sectors) instead; that is not modelled. A multi-terabyte UFS (``-T``
layout, over 2^31 sectors) says it is not simulated, as do the mkfs options other than
``-N`` and ``-m`` (``-v`` prints a mkfs command line built from the drive's rpm and maximum
transfer, which the model does not have), and ``-N`` of a device holding no UFS (mkfs.c then
checks the backups it would print against the disk, which the model does not hold).
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass, field

from simulator.core.coverage import Coverage
from simulator.core.invocation import Invocation
from simulator.core.libc import sun_getopt
from simulator.core.names import device_slice, device_unit, raw_device
from simulator.core.strerror import SysError, strerror
from simulator.lvm.md.records import SoftPartition, Stripe
from simulator.ufs.filesystems import FileSystems
from simulator.ufs.image import BSIZE, SECTORS_PER_TB, Geometry

NAME = "newfs"
OPTSTRING = "vNBSs:C:d:t:o:a:b:f:c:m:n:r:i:T"       # newfs.c main()

INT_MAX = (1 << 31) - 1
FS_SIZE_UPPER_LIMIT = 0x100000000000                 # newfs.c
DEV_BSIZE = 512
GBSEC = (1 << 30) // DEV_BSIZE                       # newfs.c: sectors in a GB
MINDENSITY, MAXDEFDENSITY = 2048, 8 * 1024           # newfs.c
MB = 1 << 20

# mkfs.c with newfs's EFI defaults (DEF_SECTORS_EFI, DEF_TRACKS_EFI, DESCPG)
NSECT, NTRAK, DESCPG, NRPOS = 128, 48, 16, 8
SPC = NSECT * NTRAK
SBSIZE = BBSIZE = 8192
DINODE = 128                                         # sizeof (struct dinode)
INOPB = BSIZE // DINODE
MAXIPG = -(-(BSIZE * 8 // 3) // INOPB) * INOPB       # MAXIpG(fs): roundup(..., INOPB)
SIZEOF_CG, SIZEOF_LONG, SIZEOF_SHORT = 172, 4, 2     # struct cg; a 32-bit mkfs
WIDTH = 80                                           # mkfs.c

USAGE = """usage: newfs [ -v ] [ mkfs-options ] raw-special-device
where mkfs-options are:
\t-N do not create file system, just print out parameters
\t-T configure file system for eventual growth to over a terabyte
\t-s file system size (sectors)
\t-b block size
\t-f frag size
\t-t tracks/cylinder
\t-c cylinders/group
\t-m minimum free space %
\t-o optimization preference (`space' or `time')
\t-r revolutions/minute
\t-i number of bytes per inode
\t-a number of alternates per cylinder
\t-C maxcontig
\t-d rotational delay
\t-n number of rotational positions
\t-S print a textual version of the calculated superblock to stdout
\t-B dump a binary version of the calculated superblock to stdout"""

# newfs.c main(): option -> (number() name, default, accepts '%', range check, its message)
_NUMERIC: dict[str, tuple[str, int, bool, tuple[int, int], str]] = {
    "C": ("maxcontig", -1, False, (0, INT_MAX), "%s: bad maxcontig"),
    "d": ("rotdelay", 0, False, (0, 1000), "%s: bad rotational delay"),
    "t": ("ntrack", 16, False, (0, INT_MAX), "%s: bad total tracks"),
    "a": ("apc", 0, False, (0, 32768), "%s: bad alternates per cyl"),
    "b": ("bsize", 8192, False, (4096, 8192), "%s: bad block size"),
    "f": ("fragsize", 1024, False, (DEV_BSIZE, INT_MAX), "%s: bad frag size"),
    "c": ("cpg", 16, False, (1, INT_MAX), "%s: bad cylinders/group"),
    "m": ("minfree", 10, True, (0, 99), "%s: bad free space %%"),
    "n": ("nrpos", 8, False, (1, INT_MAX), "%s: bad number of rotational positions"),
    "r": ("rpm", 3600, False, (0, INT_MAX), "%s: bad revs/minute"),
    "i": ("nbpi", 2048, False, (DEV_BSIZE, INT_MAX), "%s: bad bytes per inode"),
}


COVERAGE = Coverage(
    source=("usr/src/cmd/fs.d/ufs/newfs/newfs.c", "usr/src/cmd/fs.d/mkfs.c",
            "usr/src/cmd/fs.d/ufs/mkfs/mkfs.c"),
    getopt=(OPTSTRING,),
    options=(
        "-N: print the layout, make nothing (of a device that holds a UFS)",
        "-m free: the minimum free space %",
        "raw-special-device: the device (a bare name is tried under /dev/rdsk, then /dev)",
    ),
    not_simulated=(
        "-v -B -S -s -C -d -t -o -a -b -f -c -n -r -i -T: their arguments are checked "
        "as newfs.c checks them, then 'svmsim: newfs -<c>: not simulated', exit 1",
        "a multi-terabyte UFS (over 2^31 sectors)",
        "-N of a device that holds no UFS",
        "the layout of a metadevice under 8 GB from md's geometry (every disk is over "
        "CHSLIMIT)",
    ),
    messages=(
        USAGE,
        "newfs: -<c>: unknown flag",
        "newfs: bad numeric arg for <param>: \"<value>\"",
        "newfs: value for <param> overflowed, using <default>",
        "newfs: <value>: fssize must be at least 1024",
        "newfs: <value>: bad optimization preference (options are `space' or `time')",
        *("newfs: " + message % "<value>" for _p, _d, _pc, _r, message in _NUMERIC.values()),
        "newfs: <name>: not a raw disk device",
        "newfs: <raw> last mounted as <mount_point>",
        "newfs: construct a new file system <raw>: (y/n)? ",
        "<dev> is currently mounted on <mnt>. Please see umount(1M).",
        "<dev> contains an SVM mdb. Please see metadb(1M).",
        "<dev> is part of SVM volume <use>. Please see metaclear(1M).",
        "<dev> is mounted, can't mkfs",
        "<raw>: cannot create: <strerror>",
        "svmsim: newfs -<c>: not simulated",
        "svmsim: newfs of a multi-terabyte UFS: not simulated",
        "svmsim: newfs -N of <raw>, which holds no UFS: not simulated",
    ),
)


class _Exit(Exception):  # noqa: N818  (exit(3C) of newfs or of the mkfs it runs)
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def usage(inv: Invocation) -> int:
    inv.err(USAGE)
    return 1


def _fatal(inv: Invocation, text: str) -> _Exit:
    """newfs.c fatal(): ``newfs: <text>``, exit 10."""
    inv.err(f"newfs: {text}")
    return _Exit(10)


def _int32(n: int) -> int:
    n &= 0xFFFFFFFF
    return n - (1 << 32) if n >= 1 << 31 else n


def _number(inv: Invocation, param: str, value: str, percent: bool, default: int,
            cut: int = INT_MAX // 10) -> int:
    """newfs.c number()/number64(): digits (a leading ``-``), then the end, an overflow, a
    ``%`` where allowed, or anything else (fatal)."""
    i, minus = 0, value.startswith("-")
    if minus:
        i = 1
    if i >= len(value) or not value[i].isdigit():
        raise _fatal(inv, f'bad numeric arg for {param}: "{value}"')
    n = 0
    while i < len(value) and value[i].isdigit() and n <= cut:
        n = n * 10 + int(value[i])
        i += 1
    if cut == INT_MAX // 10:
        n = _int32(n)
    n = -n if minus else n
    while True:
        c = value[i] if i < len(value) else ""
        i += 1
        if c == "":
            return n
        if c.isdigit():
            inv.err(f"newfs: value for {param} overflowed, using {_int32(default)}")
            return default
        if c == "%" and percent:
            continue
        raise _fatal(inv, f'bad numeric arg for {param}: "{value}"')


# ----------------------------------------------------------------------- mkfs's layout
def howmany(x: int, y: int) -> int:
    """sys/sysmacros.h howmany()."""
    return -(-x // y)


def roundup(x: int, y: int) -> int:
    """sys/sysmacros.h roundup()."""
    return howmany(x, y) * y


def _f32(x: int) -> float:
    """A C ``(float)`` conversion (mkfs prints its MB figures through floats)."""
    return float(struct.unpack("f", struct.pack("f", float(x)))[0])


@dataclass
class Layout:
    """What mkfs.c computes and prints for a device of ``sectors`` sectors."""

    fsize: int
    fssize_frag: int
    ncyl: int
    ncg: int
    cpg: int
    fpg: int
    ipg: int
    warnings: list[str] = field(default_factory=list)
    too_small: bool = False

    @property
    def nspf(self) -> int:
        return self.fsize // DEV_BSIZE

    @property
    def frag(self) -> int:
        return BSIZE // self.fsize

    @property
    def sblkno(self) -> int:
        return roundup(howmany(BBSIZE + SBSIZE, self.fsize), self.frag)

    @property
    def iblkno(self) -> int:
        cblkno = self.sblkno + roundup(howmany(SBSIZE, self.fsize), self.frag)
        return cblkno + self.frag

    @property
    def cgoffset(self) -> int:
        return roundup(howmany(NSECT, self.nspf), self.frag)

    def backup(self, cylno: int) -> int:
        """fsbtodb(cgsblock(fs, cylno)): cgbase, the rotating offset, the superblock."""
        return (self.fpg * cylno + self.cgoffset * (cylno & _CYCMASK) + self.sblkno) \
            * self.nspf

    def text(self, raw: str) -> str:
        """mkfs.c's stderr from the warnings to the last backup."""
        out = [w + "\n" for w in self.warnings]
        out.append(f"{raw}:\t{self.fssize_frag * self.nspf} sectors in {self.ncyl} cylinders "
                   f"of {NTRAK} tracks, {NSECT} sectors\n")
        mb = _f32(self.fssize_frag) * self.fsize / MB
        mbg = _f32(self.fpg) * self.fsize / MB
        out.append(f"\t{mb:.1f}MB in {self.ncg} cyl groups ({self.cpg} c/g, {mbg:.2f}MB/g, "
                   f"{self.ipg} i/g)\n")
        if self.too_small:
            out.append("File system creation failed. There is only one cylinder group and\n"
                       "that is not even big enough to hold the inodes.\n")
            return "".join(out)
        out.append("super-block backups (for fsck -F ufs -o b=#) at:\n")
        width = cylno = 0
        while cylno < self.ncg and cylno < 10:
            width = self._put(out, f" {self.backup(cylno)},", width)
            cylno += 1
        out.append("\n")
        dots = self.ncg - cylno > 300
        if dots:
            out.append("Initializing cylinder groups:\n")
            i = 0
            for c in range(cylno, self.ncg - 10):
                if c % 50 == 0:
                    out.append(".")
                    i += 1
                    if i == WIDTH - 1:
                        out.append("\n")
                        i = 0
            out.append("\nsuper-block backups for last 10 cylinder groups at:\n")
        cylno = max(cylno, self.ncg - 10)
        width = 0
        while cylno < self.ncg:
            comma = "" if cylno == self.ncg - 1 else ","
            width = self._put(out, f" {self.backup(cylno)}{comma}", width)
            cylno += 1
        out.append("\n")
        return "".join(out)

    @staticmethod
    def _put(out: list[str], pbuf: str, width: int) -> int:
        if width + len(pbuf) > WIDTH - 1:
            out.append("\n")
            width = len(pbuf)
        else:
            width += len(pbuf)
        out.append(pbuf)
        return width


_CYCMASK = 63     # ~fs_cgmask for 48 tracks: shifted once a halving, once more (not 2^n)


def _density(fssize: int) -> int:
    """newfs.c: bytes an inode, 2048 for each started GB, at most 8192."""
    if fssize < GBSEC:
        return MINDENSITY
    return min(MAXDEFDENSITY, howmany(fssize, GBSEC) * MINDENSITY)


def layout(sectors: int, fsize: int) -> Layout:
    """mkfs.c's arithmetic for ``sectors`` with the EFI defaults (see module docstring)."""
    nspf, nbpi = fsize // DEV_BSIZE, _density(sectors)
    lay = Layout(fsize, sectors // nspf, 0, 0, DESCPG, 0, 0)
    bpcg = SPC * DEV_BSIZE
    inopf = fsize // DINODE
    inospercg = min(roundup(bpcg // DINODE, INOPB), MAXIPG)
    used = (lay.iblkno + inospercg // inopf) * nspf * DEV_BSIZE
    cpc, i = BSIZE // DEV_BSIZE, SPC
    while cpc > 1 and i % 2 == 0:
        cpc, i = cpc // 2, i // 2

    def ipg(cpg: int) -> int:
        return roundup((cpg * bpcg - used) // nbpi, INOPB)

    def cgsize(cpg: int) -> int:
        return (SIZEOF_CG + cpg * SIZEOF_LONG + cpg * NRPOS * SIZEOF_SHORT
                + howmany(ipg(cpg), 8) + howmany(cpg * SPC // nspf, 8))

    cpg = DESCPG
    while ipg(cpg) > MAXIPG:
        cpg -= cpc
    while cgsize(cpg) > BSIZE:
        cpg -= cpc
    lay.cpg, lay.ipg, lay.fpg = cpg, ipg(cpg), cpg * SPC // nspf
    lay.ncyl = lay.fssize_frag * nspf // SPC
    warn = lay.fssize_frag * nspf > lay.ncyl * SPC
    if warn:
        lay.ncyl += 1
    lay.ncg = howmany(lay.ncyl, cpg)
    j = lay.ncg - 1
    rest = lay.fssize_frag - j * lay.fpg
    inode_end = lay.cgoffset * (j & _CYCMASK) + lay.iblkno + lay.ipg // inopf
    if rest < lay.fpg and inode_end > rest:
        lay.warnings.append(
            f"Warning: inode blocks/cyl group ({inode_end // lay.frag}) >= data blocks "
            f"({rest // lay.frag}) in last\n    cylinder group. This implies "
            f"{rest * nspf} sector(s) cannot be allocated.")
        lay.too_small = lay.ncg == 1
        lay.ncg -= 1
        lay.ncyl -= lay.ncyl % cpg
        lay.fssize_frag = lay.ncyl * SPC // nspf
        warn = False
    if warn:
        lay.warnings.append(f"Warning: {SPC - (lay.fssize_frag * nspf - (lay.ncyl - 1) * SPC)}"
                            " sector(s) in last cylinder unallocated")
    return lay


# ----------------------------------------------------------------------- the program
def _svm_use(inv: Invocation, slice_name: str) -> str | None:
    """libdiskmgt inuse_svm.c: what SVM uses the slice for, as DM_USED_NAME says it
    (``hs``, ``sp:d5``, ``stripe:d12``, ``mdb``); its list is searched newest entry first,
    and diskset_info() adds replicas, stripes, soft partitions, then hot spares."""
    md = inv.host.md
    if md.spare_pool_of(slice_name) is not None:
        return "hs"
    for s, u in md.all_units():
        if isinstance(u, SoftPartition) and u.component == slice_name:
            return f"sp:{s.display(u.name)}"
    for s, u in md.all_units():
        if isinstance(u, Stripe) and any(c.name == slice_name for c in u.components):
            return f"stripe:{s.display(u.name)}"
    if any(r.device == slice_name for s in md.sets.values() for r in s.replicas):
        return "mdb"
    return None


def _raw_name(inv: Invocation, fs: FileSystems, name: str) -> str:
    """newfs.c with libadm getfullrawname(): the raw device ``name`` stands for."""
    def known(path: str) -> bool:
        path = os.path.normpath(path if path.startswith("/") else os.path.join(inv.cwd, path))
        return (device_unit(path) is not None or device_slice(path) is not None) \
            and fs.device_exists(path)

    def full(path: str) -> str:
        return raw_device(os.path.normpath(path if path.startswith("/")
                                           else os.path.join(inv.cwd, path)))

    if known(name):
        return full(name)
    if "/" in name:
        path = os.path.normpath(os.path.join(inv.cwd, name))
        if path.startswith("/dev/") or not inv.files.exists(name, inv.cwd):
            inv.err(f"newfs: {name}: {strerror('ENOENT')}")
            raise _Exit(2)
        raise _fatal(inv, f"{name}: not a raw disk device")
    for candidate in (f"/dev/rdsk/{name}", f"/dev/{name}"):
        if known(candidate):
            return full(candidate)
    raise _fatal(inv, f"{name}: not a raw disk device")


def main(inv: Invocation) -> int:
    try:
        return _newfs(inv)
    except _Exit as e:
        return e.code


def _newfs(inv: Invocation) -> int:
    opts, args = sun_getopt(inv, inv.args, OPTSTRING, deferred=True)   # opterr = 0
    nflag, minfree, unsimulated = False, -1, ""
    for o in opts:
        arg = o.arg or ""
        if o.char == "?":
            usage(inv)
            raise _fatal(inv, f"-{o.optopt}: unknown flag")
        if o.char == "N":
            nflag = True
            continue
        if o.char == "s":
            if _number(inv, "fssize", arg, False, FS_SIZE_UPPER_LIMIT,
                       cut=FS_SIZE_UPPER_LIMIT // 10) < 1024:
                raise _fatal(inv, f"{arg}: fssize must be at least 1024")
        elif o.char == "o":
            if arg not in ("space", "time"):
                raise _fatal(inv, f"{arg}: bad optimization preference "
                                  "(options are `space' or `time')")
        elif o.char in _NUMERIC:
            param, default, percent, (lo, hi), message = _NUMERIC[o.char]
            n = _number(inv, param, arg, percent, default)
            if not lo <= n <= hi:
                raise _fatal(inv, message % arg)
            if o.char == "m":
                minfree = n
                continue
        unsimulated = unsimulated or o.char
    if len(args) != 1:
        usage(inv)
        return 1
    fs: FileSystems = inv.host.fs
    raw = _raw_name(inv, fs, args[0])
    if unsimulated:
        inv.err(f"svmsim: newfs -{unsimulated}: not simulated")
        return 1
    block = fs.block_name(raw)
    size = fs.device_size(block) or 0
    image = fs.image_of(block)
    if size > INT_MAX or size >= SECTORS_PER_TB:
        inv.err("svmsim: newfs of a multi-terabyte UFS: not simulated")
        return 1
    if nflag and image is None:
        inv.err(f"svmsim: newfs -N of {raw}, which holds no UFS: not simulated")
        return 1
    if inv.interactive and not nflag:
        if image is not None and image.last_mounted:
            inv.out(f"newfs: {raw} last mounted as {image.last_mounted}")
        inv.out(f"newfs: construct a new file system {raw}: (y/n)? ", end="")
        answer = inv.readline()
        if not answer or answer[0] != "y":
            return 0
    lay = layout(size, Geometry.for_device(size).fsize)
    if not nflag:
        _check_in_use(inv, fs, raw, block)
        if not lay.too_small:
            try:
                fs.make_ufs(block, minfree)
            except SysError as e:
                inv.err(f"{raw}: cannot create: {e.text}")
                return 32
    inv.err(lay.text(raw), end="")
    return 32 if lay.too_small else 0


def _check_in_use(inv: Invocation, fs: FileSystems, raw: str, block: str) -> None:
    """The generic mkfs's dm_inuse (slices: mounted, then SVM), then ufs mkfs's mnttab."""
    sl = device_slice(block)
    mounted = fs.mount_of(block)
    if sl is not None:
        if mounted is not None:
            inv.err(f"{block} is currently mounted on {mounted}. Please see umount(1M).")
            raise _Exit(2)
        use = _svm_use(inv, sl)
        if use == "mdb":
            inv.err(f"{block} contains an SVM mdb. Please see metadb(1M).")
            raise _Exit(2)
        if use is not None:
            inv.err(f"{block} is part of SVM volume {use}. Please see metaclear(1M).")
            raise _Exit(2)
    if mounted is not None:
        inv.err(f"{block} is mounted, can't mkfs")
        raise _Exit(32)
