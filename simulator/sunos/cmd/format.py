"""format(1M) run without a terminal: the disk list, then the prompt (usr/src/cmd/format/).

Hand-written to match format byte for byte: startup.c prints ``Searching for disks...`` and
``done``; menu_command.c c_disk prints two empty lines, ``AVAILABLE DISK SELECTIONS:`` and
each disk as io.c pr_diskline does (``    %4d. %s `` then ``<label cyl N alt N hd N sec N>``,
or ``<drive not available>`` for a disk that does not answer, then the /devices path indented
ten columns); then input() prompts ``Specify disk (enter its number): ``. An empty line
re-prompts (no default, and the blank was typed, not piped ahead); end of input is
fullabort(): a newline, exit 1 -- so ``format < /dev/null`` and ``echo | format`` end there,
as scripts use them to list disks. Choosing a disk (the menus that follow), options and disk
operands are not simulated.

Disks are listed in controller/target/LUN order; geometry, label name and paths come from
:mod:`simulator.sunos.disks` (the label's ASCII name is the ``SUNnnG`` of the product id when
it has one, as Sun's format.dat names them, else ``vendor-product-revision`` as auto_sense.c
builds it).
"""

from __future__ import annotations

import re

from simulator.core.coverage import Coverage
from simulator.core.invocation import Invocation
from simulator.sunos.disks import disk_key, geometry, inquiry, physical_path

NAME = "format"
PROMPT = "Specify disk (enter its number): "
_SUN_LABEL = re.compile(r"(SUN\d+G)$")


COVERAGE = Coverage(
    source=("usr/src/cmd/format/startup.c", "usr/src/cmd/format/menu_command.c",
            "usr/src/cmd/format/io.c", "usr/src/cmd/format/auto_sense.c"),
    options=(),
    not_simulated=(
        "any option or disk operand",
        "choosing a disk, and every menu after it",
    ),
    messages=(
        "Searching for disks...done",
        "AVAILABLE DISK SELECTIONS:",
        "<drive not available>",
        PROMPT,
        "svmsim: format with options or disk names: not simulated",
        "svmsim: format: selecting a disk is not simulated",
    ),
    notes="Run without a terminal: the disk list, then the prompt; end of input exits 1.",
)


def disk_label(inv: Invocation, name: str) -> str:
    """``<SUN72G cyl 14087 alt 2 hd 24 sec 424>`` (pr_diskline's label part)."""
    disk = inv.host.disks[name]
    if disk.failed:
        return "<drive not available>"
    geo = geometry(disk)
    inq = inquiry(disk)
    m = _SUN_LABEL.search(inq.product)
    ascii_label = m.group(1) if m else f"{inq.vendor}-{inq.product}-{inq.revision}"
    return f"<{ascii_label} cyl {geo.ncyl} alt {geo.acyl} hd {geo.nhead} sec {geo.nsect}>"


def main(inv: Invocation) -> int:
    if inv.args:
        inv.err("svmsim: format with options or disk names: not simulated")
        return 1
    inv.out("Searching for disks...done")
    inv.out("\n\nAVAILABLE DISK SELECTIONS:")
    for num, name in enumerate(sorted(inv.host.disks, key=disk_key)):
        inv.out(f"    {num:4d}. {name} {disk_label(inv, name)}")
        inv.out(f"          {physical_path(name)}")
    while True:
        inv.out(PROMPT, end="")
        line = inv.readline()
        if line is None:
            inv.out()
            return 1
        if line.strip():
            inv.out()
            inv.err("svmsim: format: selecting a disk is not simulated")
            return 1
