"""``metadb``: list, add and delete state database replicas (illumos cmd/lvm/util/metadb.c).

Listing needs no privilege; ``-a``/``-d``/``-p`` need root. Options are read twice as
metadb.c does: once in main (``ac:dfhik:l:ps:?``, the last of -a/-d/-i/-p wins) and again
in chngdb (``ac:dfk:pl:s:``) for the count, length and force of an attach or detach, both
with Solaris getopt(3C) (:mod:`simulator.core.libc`): libc reports a bad option
(``metadb: illegal option -- x``, ``option requires an argument -- l``), then metadb.c
usage(sp, string) prints ``metadb: <string>`` when the string is not empty, the usage text,
and exits 1 (0 for ``-h`` / ``-?``, string NULL). A bad option in main is ``unknown
command``; in chngdb the string is empty.
"""

from __future__ import annotations

import re
from typing import NoReturn

from simulator.core.coverage import Coverage
from simulator.core.errors import CommandExit, UsageError
from simulator.core.invocation import Invocation
from simulator.core.libc import getopt
from simulator.core.names import DID_SLICE_RE, short_name
from simulator.lvm.errors import NO_DB, MDError
from simulator.lvm.libmeta.release import legend_has_tag_lines
from simulator.lvm.md.manager import MDSet
from simulator.lvm.md.replicas import DEFAULT_LENGTH

NAME = "metadb"
MDDB_MINBLKS = 16      # md_mddb.h
MDDB_MAXBLKS = 8192
META_DBCONF = "/etc/lvm/mddb.cf"

USAGE = (
    "usage:  {p} [-s setname] -a [options] mddbnnn\n"
    "\t{p} [-s setname] -a [options] device ...\n"
    "\t{p} [-s setname] -d [options] mddbnnn\n"
    "\t{p} [-s setname] -d [options] device ...\n"
    "\t{p} [-s setname] -i \n"
    "\t{p} -p [options] [ mddb.cf-file ]\n"
    "options:\n"
    "-c count\tnumber of replicas (for use with -a only)\n"
    "-f\t\tforce adding or deleting of replicas\n"
    "-k filename\talternate /etc/system file\n"
    "-l length\tspecify size of replica (for use with -a only)")

# metadb.c info(): the legend of -i. Solaris 9 and 10 print these fourteen lines (the
# Solaris Volume Manager Administration Guide, Example 7-4, a real ``metadb -i``:
# ../shared/reference/samples/metadb-i.txt); illumos metadb.c and Solaris 11 add the ``t``
# line after ``m`` and the ``B`` line last (TAG_LINE, BADTAG_LINE; the release rule is
# simulator.lvm.libmeta.release.legend_has_tag_lines).
LEGEND_LINES = (
    " r - replica does not have device relocation information",
    " o - replica active prior to last mddb configuration change",
    " u - replica is up to date",
    " l - locator for this replica was read successfully",
    f" c - replica's location was in {META_DBCONF}",
    " p - replica's location was patched in kernel",
    " m - replica is master, this is replica selected as input",
    " W - replica has device write errors",
    " a - replica is active, commits are occurring to this replica",
    " M - replica had problem with master blocks",
    " D - replica had problem with data blocks",
    " F - replica had format problems",
    " S - replica is too small to hold current data base",
    " R - replica had device read errors")
TAG_LINE = " t - tagged data is associated with the replica"
BADTAG_LINE = " B - tagged data associated with the replica is not valid"
LEGEND = "\n".join(LEGEND_LINES)


COVERAGE = Coverage(
    source=("usr/src/cmd/lvm/util/metadb.c", "usr/src/lib/lvm/libmeta/common/meta_db.c"),
    getopt=("ac:dfhik:l:ps:?", "ac:dfk:pl:s:"),
    options=(
        "-a: add replicas (root)",
        "-d: delete replicas (root)",
        "-i: the listing with its legend (its lines depend on the release)",
        "-c count: replicas a slice with -a",
        "-l length: blocks a replica with -a",
        "-f: force: the first replicas, or deleting the last",
        "-s setname: the set",
        "-p: patch the kernel from mddb.cf: checked, then does nothing (root)",
        "-h: the usage, exit 0",
    ),
    not_simulated=(
        "-k filename: accepted and ignored (the alternate /etc/system file)",
        "-p: nothing is patched (the model keeps no mddb.cf)",
    ),
    messages=(
        USAGE,
        LEGEND,
        TAG_LINE,
        BADTAG_LINE,
        "<prog>: unknown command",
        "<prog>: too many arguments",
        "<prog>: too many arguments to -p",
        "<prog>: <value>: bad format",
        "<prog>: size (-l) is too big",
        "<prog>: size (-l) is too small",
        "<prog>: count (-c) must be 1 or more",
        "<prog>: no devices specified to attach or detach",
        NO_DB,
    ),
)


def legend(release: str) -> str:
    """The -i legend of ``release`` (no trailing newline)."""
    if not legend_has_tag_lines(release):
        return LEGEND
    lines = list(LEGEND_LINES)
    lines.insert(lines.index(" m - replica is master, this is replica selected as input") + 1,
                 TAG_LINE)
    return "\n".join([*lines, BADTAG_LINE])


def usage(inv: Invocation, why: str | None = "unknown command") -> int:
    """metadb.c usage(sp, string): ``metadb: <why>`` (when not empty) and the usage text on
    stderr; the exit status is 0 for ``why`` None (``-h``, ``-?``), else 1."""
    if why:
        inv.err(f"{inv.prog}: {why}")
    inv.err(USAGE.format(p=inv.prog))
    return 0 if why is None else 1


def usage_exit(inv: Invocation, why: str | None) -> NoReturn:
    """usage() then md_exit(): the command ends here."""
    raise CommandExit(usage(inv, why))


def c_atoi(text: str) -> int | None:
    """``sscanf(optarg, "%d", &n)``: a leading (signed) decimal number, else None."""
    m = re.match(r"\s*([+-]?\d+)", text)
    return int(m.group(1)) if m else None


def main(inv: Invocation) -> int:
    """metadb.c main: options, then list, patch, or change the replicas (chngdb)."""
    try:
        opts, operands = getopt(inv, "ac:dfhik:l:ps:?")
    except UsageError:                  # case '?' with optopt != '?' and default
        usage_exit(inv, "unknown command")
    cmd = "infoshort"
    setname: str | None = None
    force = False
    for flag, value in opts:
        if flag == "-a":
            cmd = "attach"
        elif flag == "-d":
            cmd = "detach"
        elif flag == "-f":
            force = True
        elif flag in ("-h", "-?"):
            usage_exit(inv, None)
        elif flag == "-i":
            cmd = "infolong"
        elif flag == "-p":
            cmd = "patch"
        elif flag == "-s":
            setname = value
    s = inv.host.md.get_set(setname)

    if cmd in ("infoshort", "infolong"):
        if operands:
            usage_exit(inv, "too many arguments")
        text = legend(inv.host.release) if cmd == "infolong" else None
        inv.out(listing(s, text), end="")
        return 0

    if not inv.need_root():
        return 1
    if cmd == "patch":
        if len(operands) > 1:
            usage_exit(inv, "too many arguments to -p")
        return 0
    if not s.replicas and not force:
        raise MDError(NO_DB)
    return chngdb(inv, s, cmd)


def chngdb(inv: Invocation, s: MDSet, cmd: str) -> int:
    """metadb.c chngdb: count/length/force, their checks, then attach or detach."""
    try:
        opts, operands = getopt(inv, "ac:dfk:pl:s:")
    except UsageError:                  # default: usage(sp, "")
        usage_exit(inv, "")
    dbsize, dbcnt, default_size, force = DEFAULT_LENGTH, 1, True, False
    for flag, value in opts:
        if flag in ("-c", "-l"):
            n = c_atoi(value)
            if n is None:
                inv.err(f"{inv.prog}: {value}: bad format")
                usage_exit(inv, "")
            if flag == "-c":
                dbcnt = n
            else:
                dbsize, default_size = n, False
        elif flag == "-f":
            force = True
    if dbsize > MDDB_MAXBLKS:
        usage_exit(inv, "size (-l) is too big")
    if dbsize < MDDB_MINBLKS:
        usage_exit(inv, "size (-l) is too small")
    if dbcnt < 1:
        usage_exit(inv, "count (-c) must be 1 or more")
    if not operands:
        usage_exit(inv, "no devices specified to attach or detach")
    devices = [short_name(d) for d in operands]
    vm = inv.host.md
    for dev in devices:
        vm.slice_size(dev)      # make_dbname: metaname fails for a missing slice
    if cmd == "detach":
        vm.delete_replicas(s, devices, force=force)
        return 0
    if default_size and s.replicas:
        dbsize = min(r.count for r in s.replicas)   # meta_db_minreplica
    # added to the running kernel: ``a        u`` until the next reboot (md.replicas)
    vm.add_replicas(s, devices, count=dbcnt, length=dbsize, force=True, live=True)
    return 0


def dsk_path(device: str) -> str:
    """The block device a replica lives on, as ``metadb`` shows it (the name's bname)."""
    if device.startswith("/"):
        return device
    if DID_SLICE_RE.match(device):
        return f"/dev/did/dsk/{device}"
    return f"/dev/dsk/{device}"


def listing(s: MDSet, legend_text: str | None) -> str:
    """metadb.c info(): header, one line per replica (its flags in MDDB_FLAGS_STRING
    order, :meth:`Replica.flag_field`), and the -i legend when ``legend_text`` is given."""
    if not s.replicas:
        raise MDError(NO_DB)
    out = [f"\t{'flags':>5.5}\t\t{'first blk':>9.9}\t{'block count':>11.11}\n"]
    for r in s.replicas:
        out.append(f"{r.flag_field()}\t{r.first_block}\t\t{r.count}\t\t"
                   f"{dsk_path(r.device)}\n")
    if legend_text is not None:
        out.append(legend_text + "\n")
    return "".join(out)
