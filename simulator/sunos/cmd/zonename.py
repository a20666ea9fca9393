"""zonename(1): the name of the current zone (usr/src/cmd/zonename/zonename.c).

The simulated host is the global zone (zones other than global are not modelled), so it
prints ``global`` and exits 0; zonename.c reads no options and ignores its arguments.
"""

from __future__ import annotations

from simulator.core.coverage import Coverage
from simulator.core.invocation import Invocation

NAME = "zonename"
GLOBAL_ZONE = "global"     # GLOBAL_ZONENAME, zone.h


COVERAGE = Coverage(
    source=("usr/src/cmd/zonename/zonename.c",),
    messages=(GLOBAL_ZONE,),
    not_simulated=("non-global zones: the host is always the global zone",),
    notes="zonename.c reads no options and ignores its arguments.",
)


def main(inv: Invocation) -> int:
    inv.out(GLOBAL_ZONE)
    return 0
