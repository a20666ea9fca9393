"""mt(1): magnetic tape control (usr/src/cmd/mt/mt.c) on the host's tape drives.

Hand-written to match mt.c byte for byte. ``-f``/``-t`` name the device (else ``$TAPE``,
else ``/dev/rmt/0n``); the command is the first of mt.c's table it is a prefix of. Opening a
device that is no drive is perror's ``<dev>: No such file or directory``, a drive with no
cartridge ``<dev>: no tape loaded or drive offline``, exit 1. ``status`` prints the SCSI form
of status(): ``<drive> tape drive:``, the sense key line and ``   file no= N   block no= 0``.
``rewind``, ``offline``/``rewoffl`` (the cartridge leaves the drive), ``fsf``/``bsf``/``nbsf``
N, ``asf`` N and ``eom`` move the head between the dump files on the cartridge; a move past
either end fails as the st driver does: ``<dev> <cmd> <count> failed: I/O error``, exit 2.
Closing a rewinding device (no ``n`` in its name) rewinds it. The other commands (weof, erase,
retension, fsr/bsr, reserve, config...) are not simulated.

The drive (decided): an HP Ultrium LTO-3, st.conf's name ``HP Ultrium LTO 3``, as the
default 400 GB cartridge is.
"""

from __future__ import annotations

from simulator.core.coverage import Coverage
from simulator.core.invocation import Invocation
from simulator.core.libc import atoi
from simulator.core.names import split_tape
from simulator.core.strerror import strerror

NAME = "mt"
DEFAULT_NRW_TAPE = "/dev/rmt/0n"
DRIVE_NAME = "HP Ultrium LTO 3"
# mt.c com[]: (name, uses a count); the order decides which a prefix abbreviates
COMMANDS = (("weof", True), ("eof", True), ("fsf", True), ("bsf", True), ("asf", True),
            ("fsr", True), ("bsr", True), ("rewind", False), ("offline", False),
            ("rewoffl", False), ("status", False), ("retension", False), ("erase", False),
            ("eom", False), ("nbsf", True), ("reserve", False), ("release", False),
            ("forcereserve", False), ("config", False), ("fssf", True), ("bssf", True),
            ("tell", False), ("seek", True), ("load", False), ("lock", False),
            ("unlock", False))
SIMULATED = {"fsf", "bsf", "asf", "rewind", "offline", "rewoffl", "status", "eom", "nbsf"}


COVERAGE = Coverage(
    source=("usr/src/cmd/mt/mt.c",),
    options=(
        "-f device: the drive (-t the same; else $TAPE, else /dev/rmt/0n)",
        "status: the drive's status",
        "rewind: rewind",
        "offline: rewind and unload (rewoffl the same)",
        "fsf count: forward over dump files",
        "bsf count: back over dump files (nbsf the same)",
        "asf count: to a dump file by number",
        "eom: to the end of the recorded media",
    ),
    not_simulated=(
        "weof, eof, fsr, bsr, retension, erase, reserve, release, forcereserve, config, "
        "fssf, bssf, tell, seek, load, lock, unlock: 'svmsim: mt <command>: not simulated'",
    ),
    messages=(
        "usage: mt [ -f device ] command [ count ]",
        "mt: unknown command: <word>",
        "<dev>: <strerror>",
        "<dev>: no tape loaded or drive offline",
        "mt: negative file number",
        "mt: negative <command> count",
        "<dev> <command> <count> failed: I/O error",
        "svmsim: mt <command>: not simulated",
    ),
    notes="The drive is an HP Ultrium LTO-3 (decided).",
)


def usage(inv: Invocation) -> int:
    inv.err("usage: mt [ -f device ] command [ count ]")
    return 1


def main(inv: Invocation) -> int:
    args = list(inv.argv)
    if len(args) > 2 and args[1] in ("-t", "-f"):
        tape = args[2]
        args = args[:1] + args[3:]
    else:
        tape = inv.env.get("TAPE") or DEFAULT_NRW_TAPE
    if len(args) < 2:
        return usage(inv)
    word = args[1]
    found = next(((n, c) for n, c in COMMANDS if n.startswith(word)), None)
    if found is None:
        inv.err(f"mt: unknown command: {word}")
        return 1
    command, usecnt = found
    drive = inv.host.backups.tape(tape)
    if drive is None:
        inv.err(f"{tape}: {strerror('ENOENT')}")
        return 1
    if command not in SIMULATED:
        inv.err(f"svmsim: mt {command}: not simulated")
        return 1
    cart = drive.cartridge
    if cart is None:
        inv.err(f"{tape}: no tape loaded or drive offline")
        return 1
    count = atoi(args[2]) if usecnt and len(args) > 2 else 1
    if count < 0:
        inv.err("mt: negative file number" if command == "asf"
                else f"mt: negative {command} count")
        return 1
    code = 0
    nfiles = len(cart.files)
    if command == "status":
        inv.out(f"{DRIVE_NAME} tape drive:")
        inv.out("   sense key(0x0)= No Additional Sense   residual= 0   retries= 0")
        inv.out(f"   file no= {drive.position}   block no= 0")
    elif command == "rewind":
        drive.rewind()
    elif command in ("offline", "rewoffl"):
        drive.rewind()
        drive.loaded = -1
    elif command == "eom":
        drive.position = nfiles
    else:
        target = {"fsf": drive.position + count, "asf": count}.get(
            command, drive.position - count)
        if 0 <= target <= nfiles:
            drive.position = target
        else:
            drive.position = min(max(target, 0), nfiles)
            inv.err(f"{tape} {command} {count} failed: {strerror('EIO')}")
            code = 2
    parts = split_tape(tape)
    if parts is not None and not parts[4] and drive.loaded >= 0:
        drive.rewind()
    return code
