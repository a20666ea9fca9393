"""What the captured host is, and how a scenario makes the simulator be it.

:func:`plan_host` reads the captures (:mod:`simulator.importer.captures`) and returns a
:class:`HostPlan`: the scenario document (keys exactly :mod:`simulator.scenario.schema`'s),
the comments the writer puts above its tables, and the notes on what was decided or cannot
be reproduced. The rules, each decided here where the sources are silent:

- **Creation order.** ``metastat`` lists each kind newest first (md_create_unit_incore puts
  a new unit at the head of the driver's list: :mod:`simulator.lvm.libmeta.printing`), so
  the tables are written in the reverse of the printed order, which the builder's creation
  order (:func:`simulator.scenario.refs.creation_order`) then replays; a mirror's
  submirrors are created just before it, in submirror order. Pools likewise. An empty
  submirror slot is filled by a stand-alone concat/stripe, detached again by a setup step.
- **Disks.** A disk with a ``prtvtoc`` capture keeps its size, geometry (heads x sectors),
  and each slice's size and first sector (``[[disk]] starts``); a disk known only from
  ``format`` keeps its size and geometry; a disk with neither gets slices sized from what
  ``metastat``/``metadb`` print (a note says so). Device IDs come from metastat's Device
  Relocation Information.
- **Replicas.** One ``[[replica]]`` per slice (metadb -a -c N -l LENGTH), with each
  replica's flags when they are not what a replica read at boot shows.
- **States seen become setup steps**, in an order that leaves each as captured: stand-ins
  detached from their slots, spares
  ``Broken`` (an I/O error on the spare), submirrors ``Offline`` (metaoffline: metastat
  shows them "Needs maintenance", Invoke: metaonline), components
  in ``Maintenance`` then ``Last Erred`` (I/O errors, in that order: the second failure in a
  mirror is the last one), hot spares ``In use`` whose resync is over (an I/O error on the
  component they replace, then the time their resync takes), then the resyncs still
  running: a submirror ``Resyncing`` (metadetach + metattach: a full resync), a spare or
  re-enabled component ``Resyncing`` (an I/O error, or metareplace -e), each started so
  that the virtual time after it leaves it at the percentage ``metastat`` printed (the
  middle of that percent, at the host's resync rate).
- **File systems** are the UFS of vfstab and mnttab on a metadevice or slice, with df -k's
  used space as their data; ``files`` is one per 4 MB used, from 10 to 2,000 (decided:
  enough for a backup to walk, few enough that a test builds the host in a second; edit
  it). Workloads are not captured: none is written.
- **A tape** ``/dev/rmt/0`` large enough for a level 0 of every file system (decided: the
  captures do not show the site's drive; edit it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from simulator.core.names import SLICE_RE, split_slice
from simulator.importer.captures import Capture, CaptureError, Captures
from simulator.importer.mdtab import Config, MirrorLine, StripeLine, parse_metastat_p, slices_of
from simulator.importer.metadb import ReplicaLine, parse_metadb
from simulator.importer.metastat import Status, parse_metastat
from simulator.importer.release import parse_release, parse_uname
from simulator.importer.tables import Mount, parse_df, parse_mnttab, parse_vfstab
from simulator.importer.vtoc import DiskLayout, parse_format, parse_prtvtoc
from simulator.lvm.md.replicas import BOOT_FLAGS, DEFAULT_LENGTH, FIRST_BLOCK
from simulator.scenario.schema import _DEVID_RE

FILES_PER_KB = 1 / 4096          # one file per 4 MB used
MIN_FILES, MAX_FILES = 10, 2000
GUESS_SLICE = 4 << 21            # 4 GB: a slice nothing sizes (blocks)


@dataclass
class Note:
    """Something an import decided, or a captured line it cannot reproduce, and why."""

    source: str
    lineno: int | None
    reason: str

    def text(self) -> str:
        at = f" line {self.lineno}" if self.lineno else ""
        return f"{self.source}{at}: {self.reason}"


@dataclass
class Event:
    """A state a setup step brings about (module docstring)."""

    kind: str                    # detach, broken, offline, erred, last, spare-done, resync
    mirror: str | None = None
    commands: list[str] = field(default_factory=list)
    io_errors: list[str] = field(default_factory=list)
    percent: str | None = None   # the Resync in progress figure, for kind "resync"
    why: str = ""


@dataclass
class HostPlan:
    """A scenario document and what the writer says about it."""

    doc: dict[str, Any]
    hostname: str
    release: str
    captures: Captures
    notes: list[Note] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    comments: dict[str, list[str]] = field(default_factory=dict)   # table -> comment lines


def plan_host(caps: Captures, name: str | None = None,
              submirrors_first: bool | None = False, reverse: bool = False) -> HostPlan:
    """The plan of the host the captures show; CaptureError for unreadable captures,
    Unimportable (a CaptureError) for what the simulator cannot be. ``name``: the
    scenario's (default: the host name); ``submirrors_first`` and ``reverse``: see
    :meth:`_Planner.units`."""
    if caps.metastat_p is None:
        raise CaptureError("no metastat -p capture: it is the one capture an import needs "
                           "(give --metastat-p FILE or an archive holding metastat-p)")
    return _Planner(caps, name, submirrors_first, reverse).plan()


class _Planner:
    def __init__(self, caps: Captures, name: str | None,
                 submirrors_first: bool | None, reverse: bool = False) -> None:
        self.caps = caps
        self.name = name
        self.submirrors_first = submirrors_first
        self.reverse = reverse
        assert caps.metastat_p is not None
        self.cfg: Config = parse_metastat_p(caps.metastat_p)
        self.status = Status()
        for cap in (caps.metastat, caps.metahs):
            if cap is not None:
                self.status.merge(parse_metastat(cap))
        if caps.metadb is None:
            raise CaptureError("no metadb capture: a host with metadevices has state "
                               "database replicas, and only metadb says where (give "
                               "--metadb FILE)")
        self.replicas: list[ReplicaLine] = parse_metadb(caps.metadb)
        if not self.replicas:
            raise CaptureError(f"{caps.metadb.source}: no replica: a host with metadevices "
                               "has state database replicas")
        self.df = parse_df(caps.df) if caps.df is not None else {}
        self.slice_mounts: dict[str, str] = {}       # slice -> mount point on it
        self.notes: list[Note] = []
        self.events: list[Event] = []
        self.fillers: list[Event] = []        # metadetach of a stand-in (slot_fill)

    def note(self, cap: Capture | None, lineno: int | None, reason: str) -> None:
        self.notes.append(Note(cap.source if cap is not None else "import", lineno, reason))

    # ------------------------------------------------------------------ the whole plan
    def plan(self) -> HostPlan:
        hostname, release = self.identity()
        doc: dict[str, Any] = {
            "scenario": {"name": self.name or hostname, "description":
                         f"{hostname} as imported from its captures (svmsim import)"},
            "host": {"hostname": hostname, "release": release},
        }
        mounts = self.mounts()
        disks = self.disks(mounts)
        if disks:
            doc["disk"] = disks
        replicas = self.replica_specs()
        if replicas:
            doc["replica"] = replicas
        if self.cfg.hsps:
            doc["hsp"] = [{"name": p.name, "spares": p.spares}
                          for p in reversed(self.cfg.hsps)]
        stripes, mirrors = self.units(self.submirrors_first, self.reverse)
        if stripes:
            doc["stripe"] = stripes
        softparts = [{"name": sp.name, "component": sp.component,
                      "size": sum(n for _, n in sp.extents),
                      "extents": [list(e) for e in sp.extents]}
                     for sp in reversed(self.cfg.softparts)]
        if softparts:
            doc["softpart"] = softparts
        if mirrors:
            doc["mirror"] = mirrors
        filesystems = self.filesystems(mounts)
        if filesystems:
            doc["filesystem"] = filesystems
            used = sum(fs["size"] for fs in filesystems)
            doc["tape"] = [{"device": "/dev/rmt/0",
                            "capacity": max(1 << 21, used * 2)}]   # at least 1 GB
        self.states()
        plan = HostPlan(doc, hostname, release, self.caps, self.notes, self.events)
        return plan

    # ------------------------------------------------------------------ identity
    def identity(self) -> tuple[str, str]:
        hostname, release = "sunhost", "5.10"
        caps = self.caps
        if caps.uname is not None:
            hostname, release = parse_uname(caps.uname)
        if caps.release is not None:
            said = parse_release(caps.release)
            if said is None:
                self.note(caps.release, 1, "names no release the simulator has: the release "
                          f"is {release}")
            elif caps.uname is None:
                release = said
            elif said != release:
                self.note(caps.release, 1, f"names release {said}, uname -a {release}: "
                          f"uname's {release} is imported")
        if caps.uname is None and self.status.node is not None:
            hostname = self.status.node
        elif caps.uname is None:
            self.note(None, None, f"no uname -a capture: the host is named {hostname}")
        return hostname, release

    # ------------------------------------------------------------------ file systems
    def mounts(self) -> list[Mount]:
        by_mount: dict[str, Mount] = {}
        if self.caps.vfstab is not None:
            for m in parse_vfstab(self.caps.vfstab):
                by_mount[m.mount] = m
        if self.caps.mnttab is not None:
            for m in parse_mnttab(self.caps.mnttab):
                known = by_mount.get(m.mount)
                if known is not None and known.device == m.device:
                    known.mounted, known.mnt_options = True, m.mnt_options
                else:
                    by_mount[m.mount] = m
        return list(by_mount.values())

    def filesystems(self, mounts: list[Mount]) -> list[dict[str, Any]]:
        out = []
        for m in mounts:
            kb = self.df.get(m.mount, (0, 0))[1]
            if m.mount not in self.df:
                self.note(self.caps.df, None, f"{m.mount}: no df -k line: imported empty")
            files = 0 if kb == 0 else min(MAX_FILES, max(MIN_FILES, int(kb * FILES_PER_KB)))
            fs: dict[str, Any] = {"mount": m.mount, "device": m.device, "size": kb * 2,
                                  "files": files,
                                  "logging": self.logging(m),
                                  "mounted": m.mounted, "in_vfstab": m.in_vfstab}
            if m.options:
                fs["options"] = m.options
            out.append(fs)
        return out

    @staticmethod
    def logging(m: Mount) -> bool:
        """UFS logging: mounted, what mnttab says (ufs_vfsops.c lists ``logging`` when it is
        on); else vfstab's options (on unless ``nologging``: the default since Solaris 9
        9/04, mount_ufs(1M))."""
        if m.mounted:
            return "logging" in m.mnt_options.split(",")
        return "nologging" not in m.options.split(",")

    # ------------------------------------------------------------------ disks
    def needed_slices(self, mounts: list[Mount]) -> list[str]:
        out = dict.fromkeys(slices_of(self.cfg))
        out.update((r.device, None) for r in self.replicas)
        for m in mounts:
            sl = m.device.rsplit("/", 1)[-1]
            if SLICE_RE.match(sl):
                out[sl] = None
                self.slice_mounts[sl] = m.mount
        return list(out)

    def disks(self, mounts: list[Mount]) -> list[dict[str, Any]]:
        layouts: dict[str, DiskLayout] = {}
        formats = parse_format(self.caps.format) if self.caps.format is not None else {}
        for disk, cap in self.caps.prtvtoc.items():
            layouts[disk] = parse_prtvtoc(cap, disk)
        wanted: dict[str, list[int]] = {}
        for sl in self.needed_slices(mounts):
            parsed = split_slice(sl)
            if parsed is not None:
                wanted.setdefault(parsed[0], []).append(parsed[1])
        names = list(dict.fromkeys([*wanted, *sorted(layouts)]))
        out = []
        for disk in names:
            layout = layouts.get(disk)
            if layout is None:
                layout = self.guess_disk(disk, wanted.get(disk, []), formats.get(disk))
            else:
                for num in layout.dropped:
                    self.note(self.caps.prtvtoc[disk], None, f"slice {num} of {disk}: a "
                              "scenario describes slices 0 to 7 only: not imported")
                for num in wanted.get(disk, []):
                    if num not in layout.slices:
                        raise CaptureError(f"{layout.source}: {disk} has no slice {num}, "
                                           f"but the configuration uses {disk}s{num}")
            spec: dict[str, Any] = {"name": disk, "size": layout.size}
            if layout.slices:
                spec["slices"] = {str(n): c for n, (_, c) in sorted(layout.slices.items())}
                spec["starts"] = {str(n): f for n, (f, _) in sorted(layout.slices.items())}
            if layout.heads and layout.sectors and layout.heads * layout.sectors <= layout.size:
                spec["heads"], spec["sectors"] = layout.heads, layout.sectors
            devid = self.status.devids.get(disk)
            if devid is not None and _DEVID_RE.match(devid):
                spec["devid"] = devid
            elif disk in self.status.devids:
                self.note(self.caps.metastat, None, f"{disk}: Reloc No (no device ID): the "
                          "simulator gives every disk one, so metastat shows Reloc Yes")
            out.append(spec)
        return out

    def slice_guess(self, sl: str) -> int:
        """A slice's size from what metastat and metadb print about what is on it."""
        on = [r for r in self.replicas if r.device == sl]
        if on:
            return FIRST_BLOCK + sum(r.count or DEFAULT_LENGTH for r in on)
        for pool in self.status.spares.values():
            if sl in pool:
                return pool[sl][1]
        for st in self.cfg.stripes:
            comps = [c for comps, _ in st.rows for c in comps]
            if sl in comps:
                size = self.status.sizes.get(st.name)
                start = self.status.components.get(st.name, {}).get(sl)
                if size is not None:
                    return size // len(comps) + (start.start if start else 0)
        ends = [off + n for sp in self.cfg.softparts if sp.component == sl
                for off, n in sp.extents]
        if ends:
            return max(ends) + 1            # the end watermark block (meta_sp.c)
        mount = self.slice_mounts.get(sl)
        if mount is not None and mount in self.df:
            return max(GUESS_SLICE, self.df[mount][0] * 2)
        return GUESS_SLICE

    def guess_disk(self, disk: str, nums: list[int], fmt: DiskLayout | None) -> DiskLayout:
        slices: dict[int, tuple[int, int]] = {}
        start = 0
        for num in sorted(set(nums)):
            size = self.slice_guess(f"{disk}s{num}")
            slices[num] = (start, size)
            start += size
        src = fmt.source if fmt is not None else "import"
        size = max(start, fmt.size if fmt is not None else 0)
        self.notes.append(Note(src, None, f"{disk}: no prtvtoc capture: its slices are "
                               "sized from metastat and metadb and placed in slice order"))
        return DiskLayout(disk, size, fmt.heads if fmt else None, fmt.sectors if fmt else None,
                          slices, source=src)

    # ------------------------------------------------------------------ replicas
    def replica_specs(self) -> list[dict[str, Any]]:
        groups: list[list[ReplicaLine]] = []
        for r in self.replicas:
            if groups and groups[-1][0].device == r.device:
                groups[-1].append(r)
            elif any(g[0].device == r.device for g in groups):
                self.note(self.caps.metadb, r.lineno, f"a replica on {r.device} printed apart "
                          "from the others on it: metadb -a adds a slice's replicas together; "
                          "imported with them")
                next(g for g in groups if g[0].device == r.device).append(r)
            else:
                groups.append([r])
        boot = "".join(sorted(BOOT_FLAGS))
        default = [set(boot + "m")] + [set(boot)] * (len(self.replicas) - 1)
        explicit = [set(r.flags) for g in groups for r in g] != default
        out = []
        for g in groups:
            length = next((r.count for r in g if r.count is not None), DEFAULT_LENGTH)
            for i, r in enumerate(g):
                if r.first is None or r.count is None:
                    self.note(self.caps.metadb, r.lineno, f"a replica on {r.device} whose "
                              "first block and block count metadb printed as unknown (its "
                              "disk could not be read: metadb.c info()): imported with its "
                              f"flags at block {FIRST_BLOCK + i * length} of {length} blocks, "
                              "which the simulator's metadb prints instead")
                elif r.count != length or r.first != FIRST_BLOCK + i * length:
                    self.note(self.caps.metadb, r.lineno, f"replica at block {r.first} of "
                              f"{r.count} blocks on {r.device}: the simulator places a "
                              f"slice's replicas of one length from block {FIRST_BLOCK}")
            spec: dict[str, Any] = {"device": g[0].device, "count": len(g)}
            if length != DEFAULT_LENGTH:
                spec["length"] = length
            if explicit:
                spec["flags"] = [r.flags for r in g]
            out.append(spec)
        return out

    # ------------------------------------------------------------------ units
    def units(self, submirrors_first: bool | None = False, reverse: bool = False
              ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """[[stripe]] and [[mirror]] tables in creation order (module docstring).

        Which came first, the stand-alone concats/stripes or the mirrors' submirrors, no
        listing says but the Device Relocation Information's order of disks
        (meta_getalldevs walks every stripe, newest first): ``submirrors_first`` chooses,
        and :func:`simulator.importer.writer.import_scenario` keeps the order whose host
        prints the captured table. ``reverse`` creates each mirror's submirrors last slot
        first (by unit number: highest first): a real capture (setaoffice.com, Solaris 10:
        d50 of d51 on c0t0d0 and d52 on c0t1d0) lists c0t0d0 before c0t1d0, which the
        newest-first walk prints only when d52 was made before d51."""
        by_name = {st.name: st for st in self.cfg.stripes}
        subs = {s for m in self.cfg.mirrors for s in m.submirrors}
        alone = [self.stripe_spec(st) for st in
                 reversed([s for s in self.cfg.stripes if s.name not in subs])]
        under: list[dict[str, Any]] = []
        mirrors: list[dict[str, Any]] = []
        spare = [st["name"] for st in alone]
        for m in reversed(self.cfg.mirrors):
            for sub in (reversed(m.submirrors) if reverse else m.submirrors):
                if sub in by_name:
                    under.append(self.stripe_spec(by_name[sub]))
            mirrors.append(self.mirror_spec(m, self.slot_fill(m, spare)))
        if submirrors_first is None:       # every stripe by its unit number
            return sorted(alone + under, key=lambda st: int(st["name"][1:]),
                          reverse=reverse), mirrors
        return (under + alone if submirrors_first else alone + under), mirrors

    def slot_fill(self, m: MirrorLine, spare: list[str]) -> list[str]:
        """The submirrors to create ``m`` with, in slot order, when metastat shows an empty
        slot (``Submirror 0: d2``, ``Submirror 2: d4``: Solaris 9 and 10 leave a detached
        submirror's slot empty, meta_mirror.c/mirror.c mirror_detach): a concat/stripe that
        stands alone on the host fills it, and a setup step detaches it again."""
        slots = self.status.slots.get(m.name, {})
        if not slots or sorted(slots.values()) == list(range(len(slots))):
            return list(m.submirrors)
        order = sorted(m.submirrors, key=lambda sub: slots.get(sub, 0))
        out: list[str] = []
        for sub in order:
            while len(out) < slots.get(sub, len(out)):
                if not spare:
                    self.note(self.caps.metastat, None, f"{m.name}: submirror slot {len(out)} "
                              "is empty (a submirror was detached) and no stand-alone "
                              "concat/stripe can stand in for it: the slots close up")
                    return list(m.submirrors)
                filler = spare.pop(0)
                out.append(filler)
                self.fillers.append(Event("detach", m.name, [f"metadetach {m.name} "
                                          f"{filler}"], why=f"{m.name}: submirror slot "
                                          f"{len(out) - 1} empty ({filler} detached)"))
            out.append(sub)
        return out
    def stripe_spec(self, st: StripeLine) -> dict[str, Any]:
        spec: dict[str, Any] = {"name": st.name, "rows": [list(c) for c, _ in st.rows]}
        interlaces = {il for comps, il in st.rows if il is not None and len(comps) > 1}
        if len(interlaces) > 1:
            self.note(self.caps.metastat_p, st.lineno, f"{st.name}: rows of different "
                      "interlaces: a scenario gives a stripe one interlace (the first row's "
                      "is imported)")
        first = next((il for comps, il in st.rows if il is not None and len(comps) > 1), None)
        if first is not None:
            spec["interlace"] = first
        if st.hsp:
            spec["hsp"] = st.hsp
        return spec

    @staticmethod
    def mirror_spec(m: MirrorLine, submirrors: list[str]) -> dict[str, Any]:
        spec: dict[str, Any] = {"name": m.name, "submirrors": submirrors}
        if m.pass_num != 1:
            spec["pass"] = m.pass_num
        if m.read != "roundrobin":
            spec["read"] = m.read
        if m.write != "parallel":
            spec["write"] = m.write
        return spec

    # ------------------------------------------------------------------ states
    def states(self) -> None:
        """The events that put the host in the states metastat showed (module docstring)."""
        st, cap = self.status, self.caps.metastat
        self.events += self.fillers
        in_use = {sp for pool in st.spares.values() for sp, (s, _) in pool.items()
                  if s == "In use"}
        for pool in st.spares.values():
            for sp, (status, _) in pool.items():
                if status == "Broken":
                    self.events.append(Event("broken", io_errors=[sp],
                                             why=f"hot spare {sp} Broken"))
        erred: list[Event] = []
        last: list[Event] = []
        for m in self.cfg.mirrors:
            pct = st.resync.get(m.name)
            for sub in m.submirrors:
                state = st.submirrors.get(m.name, {}).get(sub, "Okay")
                comps = st.components.get(sub, {})
                if state == "Offline" or st.invoke.get(sub, "").startswith("metaonline "):
                    self.events.append(Event("offline", m.name, [f"metaoffline {m.name} "
                                             f"{sub}"], why=f"{sub} Offline"))
                    continue
                if state == "Resyncing" and not any(c.state == "Resyncing"
                                                    for c in comps.values()):
                    self.events.append(Event(
                        "resync", m.name, [f"metadetach {m.name} {sub}",
                                           f"metattach {m.name} {sub}"], percent=pct,
                        why=f"{sub} attached, Resyncing ({pct} % done)"))
                    continue
                if state not in ("Okay", "Resyncing", "Needs maintenance", "Last Erred"):
                    self.note(cap, None, f"{m.name}: submirror {sub} is {state!r}: a state "
                              "the import does not bring about")
                for comp, cs in comps.items():
                    self.comp_event(m.name, sub, comp, cs.state, cs.spare, pct, in_use,
                                    erred, last)
        self.events += erred + last

    def comp_event(self, mirror: str, sub: str, comp: str, state: str, spare: str | None,
                   pct: str | None, in_use: set[str], erred: list[Event],
                   last: list[Event]) -> None:
        cap = self.caps.metastat
        if spare is not None and spare not in in_use and self.status.spares:
            self.note(cap, None, f"{comp} of {sub}: hot spare {spare} is not In use in the "
                      "pool report")
        if spare is not None and state == "Okay":
            self.events.append(Event("spare-done", mirror, io_errors=[comp],
                                     why=f"hot spare {spare} In use for {comp}, resync "
                                     "done"))
        elif spare is not None and state == "Resyncing":
            self.events.append(Event("resync", mirror, io_errors=[comp], percent=pct,
                                     why=f"hot spare {spare} replacing {comp}, Resyncing "
                                     f"({pct} % done)"))
        elif state == "Resyncing":
            self.events.append(Event("resync", mirror, commands=[f"metareplace -e {mirror} "
                                     f"{comp}"], io_errors=[], percent=pct,
                                     why=f"{comp} re-enabled, Resyncing ({pct} % done)"))
            erred.append(Event("erred", mirror, io_errors=[comp], why=f"{comp} failed "
                               "before it was re-enabled"))
        elif state == "Maintenance":
            erred.append(Event("erred", mirror, io_errors=[comp],
                               why=f"{comp} Maintenance ({sub} Needs maintenance)"))
        elif state == "Last Erred":
            last.append(Event("last", mirror, io_errors=[comp],
                              why=f"{comp} Last Erred (failed after the others)"))
        elif state != "Okay":
            self.note(cap, None, f"{comp} of {sub} is {state!r}: a state the import does "
                      "not bring about")


def band_target(percent: str, total: int) -> int:
    """The blocks done that metastat prints as ``percent`` (``40``, or `` 5.3`` in tenths
    for a big mirror): the middle of that percent (mirror.percent: done * scale // total)."""
    p = percent.strip()
    scale, value = (1000, round(float(p) * 10)) if "." in p else (100, int(p))
    low = math.ceil(value * total / scale)
    high = math.ceil((value + 1) * total / scale)
    return max(1, min(total - 1, (low + high) // 2))
