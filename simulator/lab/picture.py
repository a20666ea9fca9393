"""A picture of the lab host as data: what the browser lab draws after every command.

One JSON-able dict (:func:`picture`), taken from the host and the session under its lock:

* ``mirrors``: each mirror of the local set with its file system (mount point and lock),
  its resync (percent, or None), and its submirrors in slot order, each with its state as
  metastat names it (Okay, Resyncing, Needs maintenance, Last Erred, Offline...) and its
  components with theirs; submirrors the trainee detached during the lab follow, marked
  ``detached`` (a detached submirror is a stripe of its own: the transcript says which
  mirror it came from);
* ``others``: the other metadevices (concats not in a mirror, soft partitions) and hot spare
  pools; ``replicas``: healthy and total;
* ``filesystems``: every mounted file system, its device and its lock;
* ``tapes``: each drive, its cartridges, the one loaded, and the dump writing to it while
  one runs (``busy``: the command line);
* ``clock``, ``hung`` (the reason, while the host is hung) and ``hostname``.

The states are those of :func:`simulator.session.transcript.summarize` (the verdict's own),
so the picture and the grade never disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simulator.lvm.md.records import Mirror, Stripe
from simulator.lvm.md.states import CompState
from simulator.session.transcript import summarize

if TYPE_CHECKING:
    from simulator.host import Host
    from simulator.session.session import Session

def _components(unit: object) -> list[dict[str, str]]:
    if not isinstance(unit, Stripe):
        return []
    return [{"name": c.name, "state": CompState(c.state).value}
            for c in unit.components]


def _unit_order(name: str) -> int:
    return int(name[1:]) if name[1:].isdigit() else 1 << 30


def picture(host: Host, session: Session, busy: list[str] | None = None) -> dict[str, Any]:
    """The host as the browser lab draws it (module docstring)."""
    with session.lock:
        summary = summarize(host)
        s = host.md.sets[""]
        mounted = {dev.rsplit("/", 1)[-1]: mount for mount, dev in host.fs.mounts()
                   if dev.startswith("/dev/md/dsk/")}
        in_mirror = {slot.name for u in s.units.values() if isinstance(u, Mirror)
                     for slot in u.submirrors}
        detached_from = {sub: mirror for mirror, subs in session.transcript.detached.items()
                         for sub in subs if sub not in in_mirror and sub in s.units}
        mirrors = []
        for name in sorted((n for n, u in s.units.items() if isinstance(u, Mirror)),
                           key=_unit_order):
            m = summary["mirrors"].get(name)
            mount = mounted.get(name)
            subs = [{"name": sub, "state": state, "components": _components(s.units.get(sub))}
                    for sub, state in (m["members"] if m else {}).items()]
            subs += [{"name": sub, "state": "detached",
                      "components": _components(s.units.get(sub))}
                     for sub, mirror in sorted(detached_from.items()) if mirror == name]
            mirrors.append({"name": name, "mount": mount,
                            "lock": host.fs.lock_of(mount) if mount else None,
                            "resync": m["resync"] if m else None, "submirrors": subs})
        others = [{"name": n, "kind": type(u).__name__.lower(), "mount": mounted.get(n),
                   "components": _components(u)}
                  for n, u in sorted(s.units.items(), key=lambda kv: _unit_order(kv[0]))
                  if not isinstance(u, Mirror) and n not in in_mirror
                  and n not in detached_from]
        others += [{"name": n, "kind": "hot spare pool", "mount": None, "components": [
            {"name": sp.name, "state": sp.status} for sp in pool.spares]}
            for n, pool in sorted(s.hsps.items())]
        tapes = []
        for dev, drive in sorted(host.backups.tapes.items()):
            tapes.append({"device": dev, "cartridges": len(drive.cartridges),
                          "loaded": drive.loaded + 1 if drive.loaded >= 0 else None,
                          "busy": " ".join(busy) if busy and any(dev in a for a in busy)
                          else None})
        return {"hostname": host.hostname, "clock": host.clock.ctime(),
                "hung": host.hung_reason,
                "mirrors": mirrors, "others": others,
                "replicas": {"healthy": sum(1 for r in s.replicas if r.healthy),
                             "total": len(s.replicas)},
                "filesystems": [{"mount": mount, "device": dev, "lock": host.fs.lock_of(mount)}
                                for mount, dev in host.fs.mounts()],
                "tapes": tapes}
