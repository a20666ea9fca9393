"""A part's reference back to the host that holds it: weak, so a host is no reference cycle.

A host holds its parts (``host.md``, ``host.fs``, ``host.databases``, ``host.backups``, the
armed fault plan) and the parts read the host back (its clock, its volume manager, ``hang``).
Were those references strong, every host would be a reference cycle: freed not when its last
reference goes, by reference counting, but when the cyclic garbage collector next finds it,
with everything it made. Issue 17 measured that at about 9 % of an in-process procedure's
time (a collection every few hosts, 0.1-1 ms each), and a host that materialised its files
(a ``df`` after an hour of workload) leaves some 14,000 objects for the collector to walk.
So the host is the one root: references down (host to part, a part to what it holds) are
strong, references up are weak (this class), and callbacks the volume manager holds are the
parts' bound methods, which lead back up only through here. The records are no cycle either:
a record's lists stamp themselves rather than point back at it
(:mod:`simulator.lvm.md.records`).

Keep the host while you use a part: a part whose host is gone raises ReferenceError saying so
(``build_host().fs`` alone has no host to read the clock from), as a weakref proxy would.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn
from weakref import ref

if TYPE_CHECKING:
    from simulator.host import Host


def gone(part: object, holder: str) -> NoReturn:
    """A part read what holds it through its weak reference up, and that is gone: say so
    (every such reference, the host's parts' and the volume manager's daemon's, ends here)."""
    raise ReferenceError(f"the {holder} of this {type(part).__name__} is gone: keep a "
                         f"reference to the {holder} while its parts are used")


class HostPart:
    """Base of a host's parts: ``self.host`` is the host, held weakly (see above)."""

    _host_ref: ref[Host]

    def __init__(self, host: Host) -> None:
        self._host_ref = ref(host)

    @property
    def host(self) -> Host:
        host = self._host_ref()
        return host if host is not None else gone(self, "host")
