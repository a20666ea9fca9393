"""iostat(1M) -E: per-disk error statistics (usr/src/cmd/stat/iostat/iostat.c).

Hand-written to match show_disk_errors byte for byte: the device name (``-n``: the cXtYdZ
name ``%-16.16s ``, ``%-20.20s `` past 16 characters, as is past 20; without ``-n`` the
instance name ``%-9.9s ``), then each of sd's error kstats in the order sd.c
sd_create_errstats makes them as ``<name>: <value> `` (character values ``%-.16s``), a line
break after the third and whenever the running column count reaches 62, ``Size`` on a line of
its own as ``Size: %2.2fGB <%llu bytes>`` (the byte count as a C float over 1e9); do_newline
never prints an empty line.

Counts (decided): Soft and Transport Errors are 0; Hard Errors follow the injected I/O errors
(:func:`simulator.sunos.disks.hard_errors`) and so does Media Error (an I/O error on a slice
is modelled as a medium error); the rest are 0. Vendor, product, revision and serial come from
the disk's device ID, Size from its modelled capacity. Disks are listed in sd instance order
(controller, target, LUN), ``sdN`` numbered in that order; tape drives are not listed. Other
iostat reports (-x, -c, -d, intervals, disk operands) are not simulated.
"""

from __future__ import annotations

import struct

from simulator.core.coverage import Coverage
from simulator.core.invocation import Invocation
from simulator.core.libc import sun_getopt
from simulator.sunos.disks import disk_key, hard_errors, inquiry

NAME = "iostat"
DISK_GIGABYTE = 1000000000.0
OPTSTRING = "tdDxXYCciIpPnmMeEszrT:l:"


COVERAGE = Coverage(
    source=("usr/src/cmd/stat/iostat/iostat.c",),
    getopt=(OPTSTRING,),
    options=(
        "-E: the per-disk error statistics",
        "-n: cXtYdZ names instead of sdN",
    ),
    not_simulated=(
        "every report but -E and -En (-x, -c, -d, intervals, disk operands...): 'svmsim: "
        "iostat: only -E and -En are simulated', exit 1",
        "Soft and Transport Errors (always 0); tape drives",
    ),
    messages=(
        "Usage: iostat [-cCdDeEiImMnpPrstxXYz]  [-l n] [-T d|u] [disk ...] [interval [count]]",
        "svmsim: iostat: only -E and -En are simulated",
    ),
)


def usage(inv: Invocation) -> int:
    inv.err("Usage: iostat [-cCdDeEiImMnpPrstxXYz]  [-l n] [-T d|u] [disk ...] "
            "[interval [count]]")
    return 1


def _c_float(value: int) -> float:
    """(float)value, as the C cast rounds a 64-bit count to single precision."""
    return float(struct.unpack("f", struct.pack("f", float(value)))[0])


def disk_errors(inv: Invocation, name: str, label: str) -> list[str]:
    """show_disk_errors for one disk: its lines, without their newlines."""
    disk = inv.host.disks[name]
    inq = inquiry(disk)
    hard = hard_errors(inv.host, disk)
    size = disk.size * 512
    # (kstat name, KSTAT_DATA_CHAR value or None, number)
    stats: list[tuple[str, str | None, int]] = [
        ("Soft Errors", None, 0), ("Hard Errors", None, hard), ("Transport Errors", None, 0),
        ("Vendor", inq.vendor.ljust(8), 0), ("Product", inq.product.ljust(16), 0),
        ("Revision", inq.revision.ljust(4), 0), ("Serial No", inq.serial, 0),
        ("Size", None, size), ("Media Error", None, hard), ("Device Not Ready", None, 0),
        ("No Device", None, 0), ("Recoverable", None, 0), ("Illegal Request", None, 0),
        ("Predictive Failure Analysis", None, 0)]
    lines: list[str] = []
    line = label
    col = 0

    def newline() -> None:
        nonlocal line
        if line:
            lines.append(line)
            line = ""

    for i, (kname, chars, number) in enumerate(stats):
        col += len(kname)
        if chars is not None:
            line += f"{kname}: {chars[:16]} "
            col += len(chars[:16])
        elif kname == "Size":
            newline()
            line += f"Size: {_c_float(number) / DISK_GIGABYTE:2.2f}GB <{number} bytes>"
            newline()
            col = 0
        else:
            line += f"{kname}: {number} "
            col += 4
        if col >= 62 or i == 2:
            newline()
            col = 0
    newline()
    return lines


def main(inv: Invocation) -> int:
    opts, rest = sun_getopt(inv, inv.args, OPTSTRING)
    flags = {o.char for o in opts}
    if "?" in flags:
        return usage(inv)
    if "E" not in flags or flags - {"E", "n"} or rest:
        inv.err("svmsim: iostat: only -E and -En are simulated")
        return 1
    for instance, name in enumerate(sorted(inv.host.disks, key=disk_key)):
        if "n" in flags:
            width = 16 if len(name) <= 16 else 20
            label = f"{name:<{width}.{width}s} " if len(name) <= 20 else f"{name} "
        else:
            label = f"{f'sd{instance}':<9.9s} "
        for text in disk_errors(inv, name, label):
            inv.out(text)
    return 0
