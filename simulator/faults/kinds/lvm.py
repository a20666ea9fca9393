"""Fault kinds of Solaris Volume Manager: component and disk errors, a slow disk, a submirror
taken offline, a refused metadetach/metattach, replicas lost below quorum.

Each acts on the model through the md driver's own transitions (:mod:`simulator.lvm.md`), so
metastat, the console and ``/var/adm/messages`` then show what the real driver leaves: the
states of uts/common/io/lvm/mirror/mirror.c (set_sm_comp_state, mirror_error_handler), the hot
spare allocation of hotspares.c, the refusals of mirror_ioctl.c in meta_error.c's words, and
md_subr.c's panic when a commit fails below quorum.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from simulator.core.names import split_slice
from simulator.faults.kind import FaultKind, Param
from simulator.faults.spec import FaultError
from simulator.lvm import errors as E
from simulator.lvm.errors import MDError
from simulator.lvm.md.records import Mirror, Stripe
from simulator.lvm.md.replicas import is_stale

if TYPE_CHECKING:
    from simulator.faults.spec import Fault
    from simulator.host import Host

MD_SOURCES = ("usr/src/uts/common/io/lvm/mirror/mirror.c: mirror_error_handler(), "
              "set_sm_comp_state()",
              "usr/src/uts/common/io/lvm/hotspares/hotspares.c: check_comp_4_hotspares()",
              "usr/src/cmd/lvm/util/metastat.c (Maintenance / Last Erred, Invoke: metareplace)")


# ---------------------------------------------------------------------- targets
def _mirrors(host: Host) -> list[Mirror]:
    local = host.md.sets[""]
    return sorted((u for u in local.units.values() if isinstance(u, Mirror)),
                  key=lambda m: int(m.name[1:]))


def _components(host: Host) -> list[str]:
    """Slices under the mirrors' submirrors (mirror order, submirror order), then the
    slices of concats/stripes that are in no mirror (a detached submirror)."""
    local = host.md.sets[""]
    out: list[str] = []
    for m in _mirrors(host):
        for slot in m.submirrors:
            st = local.units.get(slot.name)
            if isinstance(st, Stripe):
                out += [c.device for c in st.components if c.device not in out]
    for u in local.units.values():
        if isinstance(u, Stripe) and u.parent is None:
            out += [c.device for c in u.components if c.device not in out]
    return out


def _disks(host: Host) -> list[str]:
    """Disks under the metadevices first (as :func:`_components` orders them), then the
    others."""
    out: list[str] = []
    for comp in _components(host):
        parsed = split_slice(comp)
        if parsed is not None and parsed[0] not in out:
            out.append(parsed[0])
    return out + sorted(d for d in host.disks if d not in out)


def _submirrors(host: Host) -> list[str]:
    return [slot.name for m in _mirrors(host) for slot in reversed(m.submirrors)]


def _mirror_names(host: Host) -> list[str]:
    return [m.name for m in _mirrors(host)]


def _replica_slices(host: Host) -> list[str]:
    return list(dict.fromkeys(r.device for r in host.md.sets[""].replicas))


# ---------------------------------------------------------------------- component-error
def _slice_error(host: Host, comp: str, op: str = "write") -> list[str]:
    msgs = host.md.io_error(comp, "read" if op == "read" else "write")
    if any(r.device == comp for r in host.md.sets[""].replicas):
        host.md.replica_error(comp)
        msgs.append(f"replicas on {comp}: write error")
    return msgs


def _component_error(host: Host, f: Fault) -> str:
    op = str(f.param("op"))
    old = host.md.bad_slices.get(f.target)
    host.md.bad_slices[f.target] = op if old in (None, op) else "both"
    msgs = _slice_error(host, f.target, op)
    return "; ".join(msgs) if msgs else f"{f.target}: {op} errors (no metadevice state changed)"


def _component_ok(host: Host, f: Fault) -> None:
    host.md.bad_slices.pop(f.target, None)


COMPONENT_ERROR = FaultKind(
    name="component-error",
    summary="I/O errors on one slice under a submirror",
    event="The disk under a component returns errors for reads or writes (op=); the mirror "
          "driver retries on another submirror and errs the component. With duration= the "
          "slice recovers afterwards, but the state it caused stays until metareplace -e.",
    shows="metastat: the component in Maintenance (\"Invoke: metareplace d1 c1t1d0s0 "
          "<new device>\") and the submirror \"Needs maintenance\", or Last Erred when no "
          "other submirror holds a good copy of its blocks; a hot spare of the submirror's "
          "pool takes over (\"Resyncing\", then Okay). Console and /var/adm/messages: "
          "\"WARNING: md: d11: c1t1d0s0 needs maintenance\" (md_mirror, kern.warning) or "
          "\"... last erred\"; a resync onto the slice fails the same way.",
    sources=MD_SOURCES + ("usr/src/uts/common/io/lvm/mirror/mirror_resync.c",),
    target="component",
    params=(Param("op", str, "write", "which I/O fails: read or write", ("read", "write")),),
    apply=_component_error, clear=_component_ok, where=("ufsdump", "resync", "fsck", "dd"),
    targets=_components)


# ---------------------------------------------------------------------- disk-fail
def _disk_fail(host: Host, f: Fault) -> str:
    disk = host.disks[f.target]
    disk.failed = True
    msgs: list[str] = []
    for num in sorted(disk.slices):
        msgs += _slice_error(host, disk.slice_name(num))
    return "; ".join(msgs) if msgs else f"{f.target} failed (nothing on it was in use)"


def _disk_back(host: Host, f: Fault) -> None:
    host.disks[f.target].failed = False


DISK_FAIL = FaultKind(
    name="disk-fail",
    summary="a whole disk fails: every slice of it errors",
    event="The disk cNtNdN stops answering (it died, or its path went away): every read and "
          "write to any slice of it fails. Under a detached submirror, the submirror can no "
          "longer be read.",
    shows="metastat: every mirror component on the disk in Maintenance (Last Erred where no "
          "other copy exists), hot spares taking over; replicas on it flagged W by metadb; "
          "messages \"WARNING: md: d11: c1t1d0s0 needs maintenance\". fsck and ufsdump of a "
          "detached submirror on it get read errors (host.md.read_error: \"I/O error\"); "
          "metattach of such a submirror starts a resync that fails at once (needs "
          "maintenance).",
    sources=MD_SOURCES + ("usr/src/uts/common/io/lvm/md/md_mddb.c (replica write errors)",
                          "usr/src/uts/common/io/lvm/mirror/mirror.c: mirror_read_strategy()"),
    target="disk", apply=_disk_fail, clear=_disk_back, where=("ufsdump", "resync", "fsck", "dd"),
    targets=_disks)


# ---------------------------------------------------------------------- slow-disk
def _slow(host: Host, f: Fault) -> str:
    factor = float(f.param("factor"))
    host.md.slow_disks[f.target] = factor
    return f"{f.target}: transfers {factor:g} times slower"


def _fast(host: Host, f: Fault) -> None:
    host.md.slow_disks.pop(f.target, None)


SLOW_DISK = FaultKind(
    name="slow-disk",
    summary="a disk answers, but slowly",
    event="A disk with retries, a degraded path or a failing drive keeps answering, factor= "
          "times slower than the others.",
    shows="Nothing in metastat's states: a resync onto or from the disk takes factor= times "
          "longer (\"Resync in progress: N % done\" moves slowly), and a ufsdump of a device "
          "on it reports a lower rate (the model's io_factor, which ufsdump divides its rate "
          "by). No console message (the sd driver's retries are not simulated).",
    sources=("usr/src/uts/common/io/lvm/mirror/mirror_resync.c: resync_unit() (the resync "
             "goes at the pace of its I/O)",),
    target="disk",
    params=(Param("factor", float, 10.0, "how many times slower", minimum=1.0),),
    apply=_slow, clear=_fast, where=("ufsdump", "resync", "dd"), targets=_disks)


# ---------------------------------------------------------------------- submirror-offline
def _mirror_of(host: Host, sub: str) -> Mirror:
    for m in _mirrors(host):
        if m.slot(sub) is not None:
            return m
    raise FaultError(f"{sub} is not attached to a mirror")


def _offline(host: Host, f: Fault) -> str:
    m = _mirror_of(host, f.target)
    try:
        host.md.offline(host.md.sets[""], m.name, f.target)
    except MDError as e:
        return f"metaoffline {m.name} {f.target} refused: {m.name}: {e.text}"
    return f"{m.name}: {f.target} offline"


def _online(host: Host, f: Fault) -> None:
    m = next((m for m in _mirrors(host) if m.slot(f.target) is not None), None)
    if m is None:
        return
    try:
        host.md.online(host.md.sets[""], m.name, f.target)
    except MDError:
        return      # not offline any more (metaonline'd, detached): nothing to undo


SUBMIRROR_OFFLINE = FaultKind(
    name="submirror-offline",
    summary="a submirror is taken offline (metaoffline's effect)",
    event="Someone else (another script, an operator) runs metaoffline dM dS: the submirror "
          "stops taking reads and writes; the mirror keeps a record of the writes it missed. "
          "Refused as metaoffline is (a resync in progress, the last readable submirror).",
    shows="metastat: the submirror \"State: Needs maintenance\" with \"Invoke: metaonline d1 "
          "d12\", as after metaoffline; metadetach of it works, metaonline starts an "
          "optimized resync (\"Resyncing\").",
    sources=("usr/src/uts/common/io/lvm/mirror/mirror_ioctl.c: mirror_offline(), "
             "mirror_online()", "usr/src/cmd/lvm/util/metaoffline.c"),
    target="submirror", apply=_offline, clear=_online, targets=_submirrors)


# ---------------------------------------------------------------------- refused commands
DETACH_ERRORS = {
    "resync": (E.RESYNC_ACTIVE, "mirror"),
    "erred": (E.SUBMIRROR_ERRED, "mirror"),
    "last": (E.LAST_SUBMIRROR, "mirror"),
    "no-readable": (E.NO_READABLE, "mirror"),
    "unavailable": (E.UNAVAILABLE, "mirror"),
    "not-found": (E.CANT_FIND_SUBMIRROR, "mirror"),
    "stale": (E.STALE_DB, ""),
}
ATTACH_ERRORS = {
    "open": (E.IS_OPEN, "sub"),
    "too-small": (E.SUBMIRROR_TOO_SMALL, "sub"),
    "max": (E.MAX_SUBMIRRORS, "mirror"),
    "not-set-up": (E.UNIT_NOT_SET_UP, "sub"),
    "in-use": (E.IN_USE, "sub"),
    "stale": (E.STALE_DB, ""),
}


def _refuse(op: str, table: dict[str, tuple[str, str]]
            ) -> tuple[Callable[[Host, Fault], str], Callable[[Host, Fault], None]]:
    def apply(host: Host, f: Fault) -> str:
        text, names = table[str(f.param("error"))]
        host.md.refusals[op] = (f.target, text, names)
        return f"the next meta{op} of {f.target or 'any mirror'} fails: {text}"

    def clear(host: Host, f: Fault) -> None:
        if host.md.refusals.get(op, ("", "", ""))[0] == f.target:
            host.md.refusals.pop(op, None)
    return apply, clear


_detach_apply, _detach_clear = _refuse("detach", DETACH_ERRORS)
_attach_apply, _attach_clear = _refuse("attach", ATTACH_ERRORS)

METADETACH_REFUSED = FaultKind(
    name="metadetach-refused",
    summary="the next metadetach (of TARGET, or of any mirror) is refused",
    event="The kernel refuses the detach for a reason the model would not have on its own "
          "at that moment (a resync started by someone else, an erred component, a stale "
          "database): error= picks which.",
    shows="metadetach prints \"metadetach: <host>: d1: <text>\" and an empty line, exit 1, "
          "with the text of meta_error.c for error=: resync \"resync in progress\", erred "
          "\"attempt an operation on a submirror that has erred components\", last \"attempt "
          "to detach last running submirror\", no-readable \"operation would result in no "
          "readable submirrors\", unavailable \"component is in unavailable state; run "
          "'metastat -i'\", not-found \"can't find submirror in mirror\", stale \"stale "
          "databases\" (no name). Nothing changes.",
    sources=("usr/src/uts/common/io/lvm/mirror/mirror_ioctl.c: mirror_detach()",
             "usr/src/lib/lvm/libmeta/common/meta_error.c: mde_perror()"),
    target="mirror", needs_target=False,
    params=(Param("error", str, "resync", "which refusal", tuple(DETACH_ERRORS)),),
    apply=_detach_apply, clear=_detach_clear, targets=_mirror_names)

METATTACH_REFUSED = FaultKind(
    name="metattach-refused",
    summary="the next metattach (to TARGET, or to any mirror) is refused",
    event="The kernel or libmeta refuses the attach (the submirror is open elsewhere, too "
          "small, the mirror full, the database stale): error= picks which.",
    shows="metattach prints \"metattach: <host>: <name>: <text>\" and an empty line, exit 1: "
          "open \"metadevice is open\" (the submirror), too-small \"submirror too small to "
          "attach\", max \"mirror has maximum number of submirrors\" (the mirror), not-set-up "
          "\"unit not set up\", in-use \"metadevice in use\", stale \"stale databases\". The "
          "submirror stays detached: the mirror stays one-way.",
    sources=("usr/src/uts/common/io/lvm/mirror/mirror_ioctl.c: mirror_attach()",
             "usr/src/lib/lvm/libmeta/common/meta_mirror.c: meta_check_submirror()",
             "usr/src/lib/lvm/libmeta/common/meta_error.c"),
    target="mirror", needs_target=False,
    params=(Param("error", str, "open", "which refusal", tuple(ATTACH_ERRORS)),),
    apply=_attach_apply, clear=_attach_clear, targets=_mirror_names)


# ---------------------------------------------------------------------- metadb-quorum-lost
def _quorum_lost(host: Host, f: Fault) -> str:
    s = host.md.sets[""]
    if not s.replicas:
        raise FaultError("metadb-quorum-lost: the host has no replicas")
    order = _replica_slices(host)
    if f.target:
        order.remove(f.target)
        order.insert(0, f.target)
    lost: list[str] = []
    for dev in order:
        if is_stale(s.replicas):
            break
        host.md.replica_error(dev)
        lost.append(dev)
    s.toofew = True
    return f"replicas lost on {', '.join(lost)}: fewer than half left (the next change panics)"


METADB_QUORUM_LOST = FaultKind(
    name="metadb-quorum-lost",
    summary="state database replicas lost below half",
    event="The slices holding replicas fail (TARGET first, then others in metadb order) "
          "until fewer than half of the replicas are good. The running kernel keeps going; "
          "the next change it must commit to the replicas (a detach, an attach, a "
          "component error) fails and it panics to protect the data.",
    shows="metadb: the lost replicas flagged W (not a, u). The next metadetach/metattach/"
          "metainit or component state change panics the host: \"md: Panic due to lack of "
          "DiskSuite state database replicas. Fewer than 50% of the total were available, "
          "so panic to ensure data integrity.\" After the boot the database is stale: "
          "messages \"WARNING: md: state database is stale\", metastat prints the stale "
          "banner, changes are refused with \"stale databases\" (metainit exit 66) until "
          "the bad replicas are deleted (metadb -d) and the host rebooted.",
    sources=("usr/src/uts/common/io/lvm/md/md_mddb.c (MD_SET_TOOFEW, MD_SET_STALE)",
             "usr/src/uts/common/io/lvm/md/md_subr.c: mddb_commitrec_wrapper() (the panic)",
             "usr/src/uts/common/io/lvm/md/md.c: md_snarf() (\"state database is stale\")",
             "usr/src/cmd/lvm/util/metadb.c (the flags)"),
    target="device", needs_target=False, transient_ok=False,
    apply=_quorum_lost, targets=_replica_slices)

KINDS: tuple[FaultKind, ...] = (COMPONENT_ERROR, DISK_FAIL, SLOW_DISK, SUBMIRROR_OFFLINE,
                                METADETACH_REFUSED, METATTACH_REFUSED, METADB_QUORUM_LOST)
