"""The one builder: a validated Scenario applied to a fresh Host through the model.

Scenario files (``svmsim init``, the harness, the ``svm_host`` fixture) and the Hypothesis
strategies (``simulator.testing.strategies``) build hosts here and nowhere else. Build order:
the host of the scenario's release, disks (with their geometry and device IDs), replicas
(``metadb -a -f``), hot spare pools, metadevices in dependency order, resync rate, file
systems, tapes, failed disks, then the setup steps (commands, I/O errors, virtual time), so
setup commands act on file systems and ``advance`` lets their workload run. A refusal by the
model becomes one ``FILE: table[i]: ...`` ScenarioError carrying the model's own text
(meta_error.c wording, from ``simulator.lvm.errors``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simulator.core.clock import VirtualClock
from simulator.core.devices import fit_geometry, split_cylinder
from simulator.core.errors import HostHung, HostPanic
from simulator.core.names import MD_DEVICE_RE, device_slice
from simulator.faults import FaultError, arm
from simulator.host import Host
from simulator.lvm.errors import MDError
from simulator.lvm.md.records import SetContents
from simulator.scenario.catalog import load_scenario
from simulator.scenario.refs import creation_order, setup_where
from simulator.scenario.schema import (
    FileSystemSpec,
    Scenario,
    ScenarioError,
    SetupStep,
)


def build_host(scenario: str | Path | Scenario) -> Host:
    """A fresh host from a shipped scenario's name, a TOML file's path, or a parsed Scenario."""
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(str(scenario))
    return build_scenario(sc)


def build_scenario(sc: Scenario) -> Host:
    """Build the host of a validated scenario; any refusal becomes a ScenarioError.

    A setup that leaves the host hung (``lockfs -w /``: every later command would wait for
    ever, so a saved state could never answer again) is refused, naming ``setup``."""
    host = _Builder(sc).build()
    if host.hung_reason:
        raise sc.error("setup", f"leaves the host hung ({host.hung_reason}): no command "
                       "could run on it")
    return host


def io_error(host: Host, comp: str) -> None:
    """An I/O error on slice ``comp``: its components err, and replicas on it get write
    errors (as when the disk under them fails)."""
    host.md.io_error(comp)
    if any(r.device == comp for s in host.md.sets.values() for r in s.replicas):
        host.md.replica_error(comp)


# What metainit made for a configuration: the set after the first build's calls (kept as the
# records' arguments, shared with no host), by (the time, the calls' arguments, the disks).
# Bounded: emptied when full.
_MADE: dict[tuple[Any, ...], SetContents] = {}
_MADE_MAX = 64


class _Builder:
    """Applies a validated scenario to a fresh Host, naming the table of any refusal."""

    def __init__(self, sc: Scenario) -> None:
        self.sc = sc

    def fail(self, where: str, e: Exception) -> ScenarioError:
        if isinstance(e, MDError):
            parts = [p for p in (e.extra, e.name) if p]
            text = ": ".join(parts + [e.text])
        else:
            text = str(e)
        return self.sc.error(where, text)

    def build(self) -> Host:
        sc, spec = self.sc, self.sc.host
        clock = VirtualClock(timezone=spec.timezone) if spec.start is None else \
            VirtualClock(spec.start, spec.timezone)
        host = Host(spec.hostname, clock, release=spec.release)
        for d in sc.disks:
            # heads x sectors as given, else a given cylinder split (DiskSpec.cyl_blocks
            # is the cylinder when heads and sectors are not both given), else fitted
            heads, sectors, cyl = d.heads, d.sectors, d.cylinder
            geometry = (heads, sectors) if heads is not None and sectors is not None \
                else split_cylinder(cyl) if cyl is not None else fit_geometry(d.size)
            disk = host.add_disk(d.name, d.size, d.slices, devid=d.devid or "",
                                 geometry=geometry)
            if d.starts:
                for num, first in d.starts.items():
                    disk.slices[num].start = first      # where prtvtoc says the slice starts
        self._metadevices(host)
        if spec.resync_rate is not None:
            host.md.resync_rate = spec.resync_rate
        for i, fs in enumerate(sc.filesystems):
            self._filesystem(host, f"filesystem[{i}]", fs)
        for i, tape in enumerate(sc.tapes):
            try:
                host.backups.add_tape(device=tape.device, capacity=tape.capacity,
                                      rate_kbs=tape.rate_kbs, cartridges=tape.cartridges)
            except (MDError, ValueError) as e:
                raise self.fail(f"tape[{i}]", e) from None
        for i, db in enumerate(sc.databases):
            where = f"database[{i}]"
            holder = host.fs.fs_on_device(f"/dev/md/dsk/{db.volume}")
            if holder is not None:
                raise sc.error(where, f"{db.volume} holds the file system {holder.mount}: a "
                               "database is on a raw volume with no file system")
            try:
                host.databases.add(db.name, db.volume, db.writes_per_second * 3600, db.seed)
            except ValueError as e:
                raise self.fail(where, e) from None
        for d in sc.disks:
            if d.failed:
                host.disks[d.name].failed = True
                for num in sorted(host.disks[d.name].slices):
                    io_error(host, f"{d.name}s{num}")
        for i, step in enumerate(sc.setup):
            self._setup(host, setup_where(sc, i), step)
        host.boot_script = spec.boot_script
        for i, fault in enumerate(sc.faults):
            where = "fault" if len(sc.faults) == 1 else f"fault[{i}]"
            try:
                arm(host, [fault])
            except (FaultError, MDError) as e:
                raise self.fail(where, e) from None
            except HostPanic as e:
                raise sc.error(where, f"takes the host down before the run ({e}): arm it "
                               "with a trigger") from None
        return host

    def _metadevices(self, host: Host) -> None:
        """Replicas, hot spare pools, then metadevices, each as metadb/metainit makes them.

        What they make is a function of the calls' arguments, the disks and the time alone
        (the host is fresh: nothing else is there yet). The first build of a configuration
        makes the calls, each checked by the model as metainit checks it (a refusal names
        its table); its set is kept (a copy), keyed by exactly those inputs, and a host
        built again from the same configuration gets a copy of it: the same records, with
        no check to repeat (:data:`_MADE`; ~40 -> ~20 us for the seed). Every set made
        from the kept contents, the first one included, is marked as holding them
        (:meth:`SetContents.held_by`): metastat's report of a unit nothing under which was
        written since is shared by those hosts (simulator.lvm.libmeta.report_cache)."""
        local = host.md.sets[""]
        sc = self.sc
        # every table's calls in declaration order (the key); made in creation order
        calls: list[tuple[str, int, tuple[Any, ...]]] = []
        for i, r in enumerate(sc.replicas):
            calls.append(("replica", i, (r.device, r.count, r.length,
                                         None if r.flags is None else tuple(r.flags))))
        for i, p in enumerate(sc.hsps):
            calls.append(("hsp", i, (p.name, tuple(p.spares))))
        for i, st in enumerate(sc.stripes):
            calls.append(("stripe", i, (st.name, tuple([(tuple(r), st.interlace)
                                                        for r in st.rows]), st.hsp)))
        for i, sp in enumerate(sc.softparts):
            calls.append(("softpart", i, (sp.name, sp.component, sp.size,
                                          None if sp.extents is None
                                          else tuple([tuple(e) for e in sp.extents]))))
        for i, m in enumerate(sc.mirrors):
            calls.append(("mirror", i, (m.name, tuple(m.submirrors), m.read, m.write,
                                        m.pass_num)))
        key = (host.clock.now, tuple(calls), tuple([
            (d.name, d.size, d.nhead, d.nsect, d.devid, d.failed,
             tuple([(n, sl.number, sl.size, sl.start) for n, sl in d.slices.items()]))
            for d in host.disks.values()]))
        made = _MADE.get(key)
        if made is not None:
            made.make_in(local)
            return
        self._make_metadevices(host, calls)
        if SetContents.keepable(local):
            if len(_MADE) >= _MADE_MAX:
                _MADE.clear()
            kept = _MADE[key] = SetContents.of(local)
            kept.held_by(local)     # this set too holds what the kept contents make

    def _make_metadevices(self, host: Host,
                          calls: list[tuple[str, int, tuple[Any, ...]]]) -> None:
        """The calls, made through the model: replicas, pools, then the units in
        :func:`creation_order` (asked once the replicas and pools are made)."""
        local = host.md.sets[""]
        units = {(kind, i): args for kind, i, args in calls}
        where = ""
        try:
            for kind, i, args in calls:
                where = f"{kind}[{i}]"
                if kind == "replica":
                    host.md.add_replicas(local, [args[0]], count=args[1], length=args[2],
                                         force=True)
                elif kind == "hsp":
                    host.md.create_hsp(local, args[0], list(args[1]))
            for kind, i, _ in creation_order(self.sc):
                where, args = f"{kind}[{i}]", units[kind, i]
                if kind == "stripe":
                    host.md.create_stripe(local, args[0], [(list(r), il) for r, il in args[1]],
                                          hsp=args[2])
                elif kind == "mirror":
                    host.md.create_mirror(local, args[0], list(args[1]), args[2], args[3],
                                          args[4])
                else:
                    host.md.create_softpart(local, args[0], args[1], args[2],
                                            extents=None if args[3] is None
                                            else [list(e) for e in args[3]])
        except MDError as e:
            raise self.fail(where, e) from None
        # replicas' own flags, as metadb printed them on a real host (an imported one),
        # once the units are made: write errors would make the database stale before
        for kind, _, args in calls:
            if kind == "replica" and args[3] is not None:
                mine = [x for x in local.replicas if x.device == args[0]]
                for replica, letters in zip(mine, args[3], strict=True):
                    replica.flags = set(letters)

    def _filesystem(self, host: Host, where: str, fs: FileSystemSpec) -> None:
        md = MD_DEVICE_RE.match(fs.device)
        try:
            unit = host.md.sets[""].units.get(md.group("unit")) if md else None
            room = unit.size if unit is not None else \
                host.md.slice_size(device_slice(fs.device) or fs.device)
        except MDError as e:
            raise self.fail(f"{where}.device", e) from None
        if fs.size > room:
            raise self.sc.error(f"{where}.size", f"{fs.size} blocks of data do not fit "
                                f"on {fs.device} ({room} blocks)")
        try:
            host.fs.add_ufs(fs.device, fs.mount, size=fs.size, files=fs.files, seed=fs.seed,
                            logging=fs.logging, mounted=fs.mounted, in_vfstab=fs.in_vfstab,
                            options=fs.options, workload=fs.workload)
        except (MDError, ValueError) as e:
            raise self.fail(where, e) from None

    def _setup(self, host: Host, where: str, step: SetupStep) -> None:
        for j, cmd in enumerate(step.commands):
            try:
                res = host.run(cmd)
            except HostHung as e:
                raise self.sc.error(f"{where}.commands[{j}]", f"{cmd!r} hung the host: "
                                    f"{e}") from None
            except ValueError as e:      # shlex: unbalanced quotes
                raise self.sc.error(f"{where}.commands[{j}]", f"{cmd!r}: {e}") from None
            if res.exit_code != 0:
                said = " ".join(res.stderr.split()) or " ".join(res.stdout.split())
                raise self.sc.error(f"{where}.commands[{j}]", f"{cmd!r} failed (exit "
                                    f"{res.exit_code}){': ' + said if said else ''}")
        for comp in step.io_errors:
            io_error(host, comp)
        host.advance(step.advance)
