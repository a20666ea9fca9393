"""Scenario cross-references: what one table names must be declared (once) in another.

The models in ``schema.py`` check each table on its own; this checks the scenario as a whole
before anything is built: disks declared once, slices on declared disks (and on a declared
slice when the disk has a layout), metadevice and pool names unique, submirrors that are
stripes of one mirror only, state database replicas when there are metadevices, one mount per
mount point and one file system per device, no file system on a part of a metadevice (a
submirror, a concat's component, a soft partition's or a hot spare's slice: the md driver
owns them, and a file system there is overwritten by the mirror's writes and resyncs), one
declaration per tape drive, and metadevices that can be created in some order (no cycle).
Each problem is one ``FILE: key.path: problem`` ScenarioError.
"""

from __future__ import annotations

from simulator.core.names import MD_DEVICE_RE, SLICE_RE, device_slice, split_tape
from simulator.scenario.schema import (
    DiskSpec,
    MirrorSpec,
    Scenario,
    SoftPartSpec,
    StripeSpec,
    local_unit,
)

UnitSpec = StripeSpec | MirrorSpec | SoftPartSpec


def check_references(sc: Scenario) -> None:
    """Names used must be declared once; slices must exist on declared disks."""
    _References(sc).check()


def all_units(sc: Scenario) -> list[tuple[str, int, UnitSpec]]:
    """Every metadevice spec as (table, index, spec)."""
    out: list[tuple[str, int, UnitSpec]] = []
    out += [("stripe", i, s) for i, s in enumerate(sc.stripes)]
    out += [("softpart", i, p) for i, p in enumerate(sc.softparts)]
    out += [("mirror", i, m) for i, m in enumerate(sc.mirrors)]
    return out


def creation_order(sc: Scenario) -> list[tuple[str, int, UnitSpec]]:
    """Metadevices in an order where each one's parts exist before it (a cycle is an error)."""
    # in rounds: each round takes, in declaration order, every unit whose parts were made in
    # an earlier round (each unit's parts asked once, not once a round). A unit's round is
    # one more than the latest of its parts' (0 with none). When each unit's parts are all
    # declared before it (so their rounds are known: a name's first unit is made first) and
    # the rounds never go down in declaration order, the rounds take the units in that
    # order: one pass answers, as it does for every shipped scenario (every build asks).
    units = all_units(sc)
    parts_of = [p[2].deps() for p in units]
    rounds: dict[str, int] = {}
    last = 0
    for p, parts in zip(units, parts_of, strict=True):
        r = 0
        for d in parts:
            rd = rounds.get(d)
            if rd is None:
                break
            if rd >= r:
                r = rd + 1
        else:
            if r >= last:
                rounds.setdefault(p[2].name, r)
                last = r
                continue
        break
    else:
        return units
    pending = list(zip(units, parts_of, strict=True))
    done: set[str] = set()
    order: list[tuple[str, int, UnitSpec]] = []
    while pending:
        ready: list[tuple[str, int, UnitSpec]] = []
        later = []
        for p, deps in pending:
            if done.issuperset(deps):
                ready.append(p)
            else:
                later.append((p, deps))
        if not ready:
            kind, i, spec = pending[0][0]
            raise sc.error(f"{kind}[{i}]", f"{spec.name} is part of a cycle of metadevices "
                           f"({', '.join(p[2].name for p, _ in pending)})")
        order += ready
        done.update(p[2].name for p in ready)
        pending = later
    return order


def setup_where(sc: Scenario, i: int) -> str:
    """How setup step ``i`` is named: ``setup`` when there is one step, else ``setup[i]``."""
    return "setup" if len(sc.setup) == 1 else f"setup[{i}]"


class _References:
    """The declared names of one scenario, and the checks of each table against them."""

    def __init__(self, sc: Scenario) -> None:
        self.sc = sc
        self.disks: dict[str, DiskSpec] = {}
        self.units: dict[str, str] = {}
        self.pools: set[str] = set()

    def check(self) -> None:
        self.declarations()
        self.replicas_and_pools()
        self.stripes()
        self.mirrors()
        for i, sp in enumerate(self.sc.softparts):
            self.slice(f"softpart[{i}].component", sp.component)
            self.unit(f"softpart[{i}].component", sp.component)
        self.tapes()
        self.filesystems()
        for i, step in enumerate(self.sc.setup):
            for j, s in enumerate(step.io_errors):
                self.slice(f"{setup_where(self.sc, i)}.io_errors[{j}]", s)
        creation_order(self.sc)

    # ------------------------------------------------------------------ names used
    def slice(self, where: str, name: str) -> None:
        """A slice must be on a declared disk, and in its layout if it has one."""
        m = SLICE_RE.match(name)
        if m is None:
            return
        disk_name, num = m.group("disk"), int(m.group("slice"))
        disk = self.disks.get(disk_name)
        if disk is None:
            raise self.sc.error(where, f"{name}: disk {disk_name} is not declared in [[disk]]")
        if disk.slices is not None and num not in disk.slices and num != 2:
            raise self.sc.error(where, f"{name}: disk {disk.name} has no slice {num}")

    def unit(self, where: str, name: str) -> None:
        if local_unit(name) and name not in self.units:
            raise self.sc.error(where, f"{name} is not declared ([[stripe]], [[mirror]] or "
                                "[[softpart]])")

    # ------------------------------------------------------------------ tables
    def declarations(self) -> None:
        """Disks, metadevices and pools are each declared once."""
        for i, d in enumerate(self.sc.disks):
            if d.name in self.disks:
                raise self.sc.error(f"disk[{i}].name", f"disk {d.name} is declared twice")
            self.disks[d.name] = d
        for kind, i, u in all_units(self.sc):
            if u.name in self.units:
                raise self.sc.error(f"{kind}[{i}].name", f"{u.name} is already declared as a "
                                    f"{self.units[u.name]}")
            self.units[u.name] = kind
        for i, p in enumerate(self.sc.hsps):
            if p.name in self.pools:
                raise self.sc.error(f"hsp[{i}].name", f"{p.name} is declared twice")
            self.pools.add(p.name)

    def replicas_and_pools(self) -> None:
        for i, p in enumerate(self.sc.hsps):
            for j, s in enumerate(p.spares):
                self.slice(f"hsp[{i}].spares[{j}]", s)
        for i, r in enumerate(self.sc.replicas):
            self.slice(f"replica[{i}].device", r.device)
        if self.units and not self.sc.replicas:
            raise self.sc.error("replica", "metadevices need state database replicas: add "
                                "[[replica]]")
        if self.sc.hsps and not self.sc.replicas:
            raise self.sc.error("replica", "hot spare pools need state database replicas: "
                                "add [[replica]]")

    def stripes(self) -> None:
        for i, st in enumerate(self.sc.stripes):
            for ri, row in enumerate(st.rows):
                for ci, comp in enumerate(row):
                    where = f"stripe[{i}].rows[{ri}][{ci}]"
                    self.slice(where, comp)
                    self.unit(where, comp)
                    if comp == st.name:
                        raise self.sc.error(where, f"{st.name} cannot contain itself")
            if st.hsp is not None and st.hsp not in self.pools:
                raise self.sc.error(f"stripe[{i}].hsp", f"{st.hsp} is not declared in [[hsp]]")

    def mirrors(self) -> None:
        """Submirrors are declared stripes, each in one mirror only."""
        owner: dict[str, str] = {}
        for i, m in enumerate(self.sc.mirrors):
            for j, sub in enumerate(m.submirrors):
                where = f"mirror[{i}].submirrors[{j}]"
                if self.units.get(sub) != "stripe":
                    what = f"a {self.units[sub]}" if sub in self.units else "not declared"
                    raise self.sc.error(where, f"{sub} must be a [[stripe]] ({sub} is {what})")
                if sub in owner:
                    raise self.sc.error(where, f"{sub} is already a submirror of {owner[sub]}")
                owner[sub] = m.name

    def tapes(self) -> None:
        drives: set[str] = set()
        for i, tape in enumerate(self.sc.tapes):
            parts = split_tape(tape.device)
            drive = f"{parts[0]}{parts[1]}" if parts is not None else tape.device
            if drive in drives:
                raise self.sc.error(f"tape[{i}].device", f"drive {drive} is declared twice")
            drives.add(drive)

    def parts(self) -> dict[str, str]:
        """What each metadevice part belongs to: ``{"d3": "d1", "c1t0d0s0": "d2"}``."""
        owner: dict[str, str] = {}
        for st in self.sc.stripes:
            for row in st.rows:
                for comp in row:
                    owner.setdefault(comp, st.name)
        for sp in self.sc.softparts:
            owner.setdefault(sp.component, sp.name)
        for m in self.sc.mirrors:
            for sub in m.submirrors:
                owner[sub] = m.name
        for p in self.sc.hsps:
            for spare in p.spares:
                owner.setdefault(spare, p.name)
        return owner

    def filesystems(self) -> None:
        mounts: set[str] = set()
        devices: dict[str, str] = {}
        owner = self.parts()
        for i, fs in enumerate(self.sc.filesystems):
            where = f"filesystem[{i}]"
            if fs.mount in mounts:
                raise self.sc.error(f"{where}.mount", f"{fs.mount} is mounted twice")
            mounts.add(fs.mount)
            md = MD_DEVICE_RE.match(fs.device)
            if md:
                if md.group("set"):
                    raise self.sc.error(f"{where}.device", "disksets are not supported in "
                                        f"scenarios (got {fs.device!r})")
                name = md.group("unit")
                self.unit(f"{where}.device", name)
                name = f"d{int(name[1:])}"
            else:
                name = device_slice(fs.device) or fs.device
                self.slice(f"{where}.device", name)
            if name in devices:
                raise self.sc.error(f"{where}.device", f"{fs.device} already holds the file "
                                    f"system mounted on {devices[name]}")
            devices[name] = fs.mount
            if name in owner:
                part = "a submirror" if self.units.get(owner[name]) == "mirror" else \
                    "a hot spare" if owner[name] in self.pools else "a component"
                raise self.sc.error(f"{where}.device", f"{name} is {part} of {owner[name]} "
                                    "(put the file system on the metadevice it is part of)")
