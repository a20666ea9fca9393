"""dbctl: the stand-in for a database vendor's utility that flushes buffers and holds writes.

The Admin Guide's online backup procedure (step 2) says a raw volume needs no lockfs, but
"you might, however, want to run the appropriate vendor-supplied utility to flush any
buffers and lock access". Every vendor has its own (Oracle's ``ALTER DATABASE BEGIN
BACKUP``, Sybase's ``quiesce database``, ...); svmsim ships one at ``/opt/svmsim/bin/dbctl``
for the databases a scenario puts on raw volumes (``[[database]]``,
:mod:`simulator.ufs.databases`), so a site's backup script can call its quiesce hook against
it. Its texts are svmsim's own (no Solaris source has them), shaped as Solaris utilities
print: ``dbctl: <name>: <text>`` on standard error for a failure.

    dbctl quiesce [database|volume]   flush the buffers and hold new writes (exit 0)
    dbctl resume  [database|volume]   let writes go on (exit 0, also when not quiesced)
    dbctl status  [database|volume]   one line each: name, raw volume, state, writes held

Without a name it acts on every database of the host. Exit 1 when a named database does
not exist, when the host has none, or when the database refuses (a fault: transactions
still active; ``host.databases.refusals``); exit 2 for bad usage.
"""

from __future__ import annotations

from simulator.core.coverage import Coverage
from simulator.core.invocation import Invocation
from simulator.core.names import md_device

NAME = "dbctl"
ACTIONS = ("quiesce", "resume", "status")


COVERAGE = Coverage(
    source=(),
    own=True,
    options=(
        "quiesce [database|volume]: flush the buffers and hold new writes",
        "resume [database|volume]: let writes go on",
        "status [database|volume]: one line each: name, raw volume, state, writes held",
    ),
    messages=(
        "usage: dbctl quiesce|resume|status [database|volume]",
        "dbctl: no database on this host",
        "dbctl: <name>: no such database",
        "dbctl: <name>: cannot quiesce: <why>",
    ),
    notes="svmsim's stand-in for a database vendor's quiesce utility (the Admin Guide's "
          "online backup of a raw volume); no Solaris source has it.",
)


def usage(inv: Invocation) -> int:
    inv.err("usage: dbctl quiesce|resume|status [database|volume]")
    return 2


def main(inv: Invocation) -> int:
    args = inv.args
    if not args or args[0] not in ACTIONS or len(args) > 2:
        return usage(inv)
    action = args[0]
    dbs = inv.host.databases
    if not dbs.databases:
        inv.err("dbctl: no database on this host")
        return 1
    if len(args) == 2:
        db = dbs.named(args[1]) or dbs.on_volume(args[1])
        if db is None:
            inv.err(f"dbctl: {args[1]}: no such database")
            return 1
        targets = [db]
    else:
        targets = list(dbs.databases.values())
    code = 0
    for db in targets:
        if action == "status":
            state = (f"quiesced since {inv.host.clock.ctime(db.quiesced_at)}"
                     if db.quiesced_at is not None else "open, writing")
            inv.out(f"{db.name}\t{md_device(db.volume, raw=True)}\t{state}")
        elif action == "quiesce":
            why = dbs.refusals.pop(db.name, None)
            if why is not None:
                inv.err(f"dbctl: {db.name}: cannot quiesce: {why}")
                code = 1
            elif dbs.quiesce(db):
                inv.out(f"{db.name}: buffers flushed, writes held")
            else:
                inv.out(f"{db.name}: already quiesced")
        else:
            held = dbs.resume(db)
            inv.out(f"{db.name}: writes resumed" + (
                f" after {held:.0f} seconds" if held is not None else
                " (it was not quiesced)"))
    return code
