"""swap(1M) -l: the swap devices (usr/src/cmd/swap/swap.c list()).

Hand-written to match swap.c byte for byte: the header ``swapfile             dev    swaplo
blocks     free``, each device as ``%-19s %2lu,%-2lu`` (path, major, minor of the block
device) and `` %8lu %8lu %8lu`` (``-k``: `` %7luK`` each; ``-h``: `` %8s`` scaled as
number_to_scaled_string does). Options and their checks follow main(): no argument, or only
``-h``/``-k``, prints the usage (prognamep is argv[0] as typed), exit 1.

Model (decided): the swap devices are the ``swap`` lines of /etc/vfstab (swapadd adds them at
boot); the first page is skipped (swaplo 16, 8 KB pages of 16 blocks on SPARC), blocks are
whole pages of the slice and all are free (paging is not modelled). A vfstab swap slice the
disk model lacks is 4 GiB (the size df gives swap-backed tmpfs). ``-s``, ``-a`` and ``-d`` are
not simulated.
"""

from __future__ import annotations

from simulator.core.coverage import Coverage
from simulator.core.invocation import Invocation
from simulator.core.libc import sun_getopt
from simulator.core.names import device_slice, split_slice
from simulator.sunos.disks import swap_devices

NAME = "swap"
SWAPLO = 16
BLOCKS_PER_PAGE = 16             # sysconf(_SC_PAGESIZE) >> DEV_BSHIFT on SPARC (8 KB pages)
DEFAULT_SWAP_BLOCKS = 8388608    # 4 GiB
MAJOR_SHIFT = 18                 # NBITSMINOR32 as FileSystems.dev_number encodes dev_t


COVERAGE = Coverage(
    source=("usr/src/cmd/swap/swap.c",),
    getopt=("khlsd:a:12",),
    options=(
        "-l: list the swap devices (the vfstab swap lines)",
        "-k: sizes in KB",
        "-h: sizes scaled",
    ),
    not_simulated=(
        "-s, -a, -d, -1, -2: 'svmsim: swap -<c>: not simulated', exit 1",
        "paging: every swap block is free",
    ),
    messages=(
        "swapfile             dev    swaplo   blocks     free",
        "No swap devices configured",
        "svmsim: swap -<c>: not simulated",
    ),
)


def usage(inv: Invocation) -> int:
    p = inv.argv[0] if inv.argv else NAME
    inv.err(f"Usage:\t{p} -l\n\tsub option :\n\t\t-h : displays size in human readable format\n"
            f"\t\t-k : displays size in KB\n\t{p} -s\n\tsub option :\n"
            "\t\t-h : displays size in human readable format rather than KB\n"
            f"\t{p} -d <file name> [low block]\n\t{p} -a <file name> [low block]"
            " [nbr of blocks]", end="\n")
    return 1


def _scaled(number: int, unit_from: int, scale: int = 1024) -> str:
    """number_to_scaled_string (copied from du.c into swap.c)."""
    if number >= 100 * scale:
        number = number // scale * unit_from
    else:
        number = number * unit_from // scale
    uom, save = 0, 0
    while number >= scale and uom < 5:
        uom += 1
        save = number
        number = (number + scale // 2) // scale
    if save and save // scale < 10:
        return f"{save / scale:.1f}{'KMGTPE'[uom]}"
    return f"{number}{'KMGTPE'[uom]}"


def _size(inv: Invocation, device: str) -> int:
    parsed = split_slice(device_slice(device) or "")
    if parsed is not None and parsed[0] in inv.host.disks:
        sl = inv.host.disks[parsed[0]].slices.get(parsed[1])
        if sl is not None:
            return sl.size
    return DEFAULT_SWAP_BLOCKS


def main(inv: Invocation) -> int:
    if len(inv.argv) < 2:
        return usage(inv)
    opts, _rest = sun_getopt(inv, inv.args, "khlsd:a:12", stop_at_error=True)
    flags = set()
    for o in opts:
        if o.char == "?":
            return usage(inv)
        flags.add(o.char)
    if flags & set("sad12"):
        inv.err(f"svmsim: swap -{sorted(flags & set('sad12'))[0]}: not simulated")
        return 1
    if "l" not in flags:
        return usage(inv)
    devices = swap_devices(inv.host)
    if not devices:
        inv.err("No swap devices configured")
        return 1
    inv.out("swapfile             dev    swaplo   blocks     free")
    for dev in devices:
        number = int(inv.host.fs.dev_number(dev), 16)
        major, minor = number >> MAJOR_SHIFT, number & ((1 << MAJOR_SHIFT) - 1)
        blocks = (_size(inv, dev) - SWAPLO) // BLOCKS_PER_PAGE * BLOCKS_PER_PAGE
        free = blocks
        line = f"{dev:<19s} {major:2d},{minor:<2d}"
        if "h" in flags:
            line += f" {_scaled(SWAPLO, 512):>8s} {_scaled(blocks, 512):>8s}" \
                    f" {_scaled(free, 512):>8s}"
        elif "k" in flags:
            line += f" {SWAPLO * 512 // 1024:7d}K {blocks * 512 // 1024:7d}K" \
                    f" {free * 512 // 1024:7d}K"
        else:
            line += f" {SWAPLO:8d} {blocks:8d} {free:8d}"
        inv.out(line)
    return 0
