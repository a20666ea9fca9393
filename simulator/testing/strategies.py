"""Hypothesis strategies for users' own tests: topologies, hosts, workloads, command lines.

    from hypothesis import given, settings
    from simulator.testing.strategies import hosts

    @settings(max_examples=50, deadline=None)
    @given(hosts())
    def test_my_check_never_crashes(host):
        assert my_monitor(host.run("metastat").stdout) in ("OK", "WARNING", "CRITICAL")

Everything drawn is valid for the model, so failures point at the code under test, and
Hypothesis shrinks them to small topologies: one or a few mirrors of 1-4 submirrors (each a
slice, a concat or a stripe, on disks of their own), maybe a hot spare pool, a UFS with a
workload on a mirror, a submirror offline, a submirror just attached (resync running),
failed slices (Maintenance, Last Erred, hot spares in use) and some virtual time passed.

:func:`command_lines` draws fake command lines -- valid, odd and garbage -- for robustness
tests. Some of them write or extract files (``ufsdump 0f x.dump``, ``ufsrestore x``): run
them with ``files=ConfinedFiles(tmpdir)`` (or under the ``svm_host`` fixture's fake file
system) so that they stay in a scratch directory.
"""

from __future__ import annotations

import itertools
import os
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from simulator.core.files import FileAccess
from simulator.core.registry import PROGRAMS

if TYPE_CHECKING:
    from simulator.host import Host

GB = 2 * 1024 * 1024   # blocks
LAYOUTS = ("slice", "concat", "stripe")
MOUNTS = ("/home1", "/export/home", "/export/data", "/var/mail", "/data")
HSP = "hsp001"


@dataclass
class Workload:
    """A file-system workload: operations per virtual second over files matching ``paths``.

    Duck-typed like a scenario's ``[filesystem.workload]``, so it can be given to
    ``host.fs.add_ufs(..., workload=...)``.
    """

    writes_per_second: float
    paths: list[str]
    creates_per_second: float = 0.0
    deletes_per_second: float = 0.0
    write_size: int = 16


@dataclass
class FileSystemSpec:
    """A UFS on a mirror: mount point, data size (fraction of the mirror), files, workload."""

    mount: str
    files: int = 100
    fill: float = 0.5
    logging: bool = True
    seed: int = 1
    workload: Workload | None = None


@dataclass
class MirrorSpec:
    """A mirror to build: its name, its submirrors, and options.

    ``layout``: each submirror is one slice, a concat of two or a stripe of two.
    ``hot_spares``: its submirrors use the pool ``hsp001``. ``offline``: a submirror taken
    offline after creation. ``attach_late``: the last submirror is attached after the mirror
    was created (it resyncs). ``filesystem``: a UFS mounted on it.
    """

    name: str
    submirrors: list[str]
    pass_num: int = 1
    read_option: str = "roundrobin"
    write_option: str = "parallel"
    size: int = 4 * GB
    layout: str = "slice"
    hot_spares: bool = False
    offline: str | None = None
    attach_late: bool = False
    filesystem: FileSystemSpec | None = None


@dataclass
class Topology:
    """Mirrors (submirrors on disks of their own), spares, failures and time to let pass."""

    mirrors: list[MirrorSpec] = field(default_factory=list)
    failed_components: list[str] = field(default_factory=list)
    spares: int = 0
    advance: float = 0.0

    def layout(self) -> tuple[list[str], dict[str, list[list[str]]]]:
        """The hot spare slices, and each submirror's rows of slices, named in build order."""
        numbers = itertools.count()

        def new_slice() -> str:
            n = next(numbers)
            return f"c{1 + n // 16}t{n % 16}d0s0"

        spares = [new_slice() for _ in range(self.spares)]
        rows: dict[str, list[list[str]]] = {}
        for m in self.mirrors:
            for sub in m.submirrors:
                if m.layout == "concat":
                    rows[sub] = [[new_slice()], [new_slice()]]
                elif m.layout == "stripe":
                    rows[sub] = [[new_slice(), new_slice()]]
                else:
                    rows[sub] = [[new_slice()]]
        return spares, rows

    def components(self) -> list[str]:
        """Every slice the topology uses (spares first), in build order."""
        spares, rows = self.layout()
        return spares + [c for sub in rows.values() for row in sub for c in row]

    def build(self, hostname: str = "host1") -> Host:
        from simulator.host import Host
        host = Host(hostname)
        host.add_replicas("c0t0d0s7", count=3)
        s = host.md.sets[""]
        spares, rows = self.layout()
        biggest = max((m.size for m in self.mirrors), default=GB)

        def add_slice(comp: str, size: int) -> None:
            host.add_disk(comp[:-2], size + 65536, {0: size, 7: 65536})

        for comp in spares:
            add_slice(comp, biggest)
        if spares:
            host.md.create_hsp(s, HSP, spares)
        for m in self.mirrors:
            for sub in m.submirrors:
                parts = [c for row in rows[sub] for c in row]
                for comp in parts:
                    add_slice(comp, m.size // len(parts))
                host.md.create_stripe(s, sub, [(row, None) for row in rows[sub]],
                                      hsp=HSP if m.hot_spares and spares else None)
            first = m.submirrors[:-1] if m.attach_late else m.submirrors
            host.md.create_mirror(s, m.name, list(first), m.read_option, m.write_option,
                                  m.pass_num)
        for m in self.mirrors:
            if m.filesystem is not None:
                f = m.filesystem
                host.fs.add_ufs(
                    f"/dev/md/dsk/{m.name}", f.mount, size=int(m.size * f.fill), files=f.files,
                    seed=f.seed, logging=f.logging, workload=f.workload)
            if m.offline is not None:
                host.md.offline(s, m.name, m.offline)
            if m.attach_late:
                host.md.attach(s, m.name, m.submirrors[-1])
        for comp in self.failed_components:
            host.md.io_error(comp)
        host.advance(self.advance)
        return host


def workloads() -> st.SearchStrategy[Workload]:
    """Workloads from idle to busy, over home directories, mail or everything."""
    return st.builds(Workload,
                     writes_per_second=st.sampled_from([0.0, 0.5, 5.0, 50.0]),
                     paths=st.sampled_from([["home/**"], ["var/mail/*"], ["**"]]),
                     creates_per_second=st.sampled_from([0.0, 0.0, 0.2, 2.0]),
                     deletes_per_second=st.sampled_from([0.0, 0.0, 0.1]))


@st.composite
def topologies(draw: Any, max_mirrors: int = 4, allow_failures: bool = True,
               filesystems: bool = True) -> Topology:
    """Mirrors of 1-4 submirrors with unique dN names and options (see the module doc)."""
    count = draw(st.integers(1, max_mirrors))
    numbers = draw(st.lists(st.integers(0, 127), min_size=count * 5, max_size=count * 5,
                            unique=True))
    mounts = draw(st.permutations(MOUNTS))
    spares = draw(st.integers(0, 2))
    mirrors = []
    for i in range(count):
        nsub = draw(st.integers(1, 4))
        chunk = numbers[i * 5:(i + 1) * 5]
        subs = [f"d{n}" for n in chunk[1:1 + nsub]]
        m = MirrorSpec(
            name=f"d{chunk[0]}", submirrors=subs,
            pass_num=draw(st.integers(0, 9)),
            read_option=draw(st.sampled_from(["roundrobin", "geometric", "first"])),
            write_option=draw(st.sampled_from(["parallel", "serial"])),
            size=draw(st.sampled_from([1 * GB, 4 * GB, 36 * GB, 2048 * GB])),
            layout=draw(st.sampled_from(LAYOUTS)),
            hot_spares=spares > 0 and draw(st.booleans()))
        m.attach_late = nsub >= 2 and draw(st.booleans())
        in_mirror = subs[:-1] if m.attach_late else subs
        if len(in_mirror) >= 2 and draw(st.booleans()):
            m.offline = draw(st.sampled_from(in_mirror))
        if filesystems and i < len(mounts) and draw(st.booleans()):
            m.filesystem = FileSystemSpec(
                mount=mounts[i], files=draw(st.integers(0, 200)),
                fill=draw(st.sampled_from([0.01, 0.5, 0.9])), logging=draw(st.booleans()),
                seed=draw(st.integers(1, 1000)),
                workload=draw(st.none() | workloads()))
        mirrors.append(m)
    topo = Topology(mirrors, spares=spares)
    comps = topo.components()
    if allow_failures:
        failed = draw(st.lists(st.sampled_from(comps), max_size=2, unique=True))
        topo.failed_components = failed
    topo.advance = draw(st.sampled_from([0.0, 0.0, 1.0, 30.0]))
    return topo


def hosts(max_mirrors: int = 4, allow_failures: bool = True,
          filesystems: bool = True) -> st.SearchStrategy[Host]:
    """Built hosts (see :func:`topologies`)."""
    return topologies(max_mirrors, allow_failures, filesystems).map(lambda t: t.build())


WORDS = (
    # metadevices, pools, slices, devices, mount points
    "d0", "d1", "d2", "d3", "d10", "d11", "d12", "d20", "d99", "d128", "blue/d1", "hsp001",
    "c1t0d0s0", "c1t1d0s0", "c1t2d0s0", "c2t0d0s0", "c0t0d0s7", "c9t9d9s0", "c1t0d0",
    "/dev/md/dsk/d1", "/dev/md/rdsk/d1", "/dev/md/rdsk/d3", "/dev/dsk/c1t0d0s0",
    "/dev/rdsk/c1t0d0s0", "/", "/home1", "/export/home", "/export/data", "/var/mail",
    # options and operands
    "-f", "-p", "-c", "-s", "-e", "-h", "-r", "-a", "-d", "-i", "-m", "-n", "-y", "-w",
    "-u", "-l", "-o", "-F", "ufs", "-k", "-v", "-t", "-x", "--", "-?", "1", "2", "0", "3",
    "10m", "1g", "local", "all", "logging", "ro",
    # dump and restore keys, archives and tapes
    "0uf", "9f", "0ucf", "0f", "tf", "tvf", "xf", "rf", "if", "/dev/rmt/0", "/dev/rmt/0n",
    "-", "x.dump", "/var/tmp/x.dump",
)


def command_lines(programs: list[str] | None = None,
                  words: list[str] | None = None) -> st.SearchStrategy[str]:
    """Plausible and implausible fake command lines (``metastat -p d1``), for robustness.

    ``programs`` defaults to every fake command (sometimes by ``/usr/sbin/`` path). The
    arguments are drawn from :data:`WORDS`, from ``words`` (as often: give the names of the
    host under test, :func:`words_for`) and from short random text. Words are shell-quoted,
    so ``shlex.split`` (what ``host.run`` does with a string) gives them back exactly.
    """
    names = st.sampled_from(sorted(programs or PROGRAMS))
    prog = st.one_of(names, names.map(lambda n: f"/usr/sbin/{n}"))
    pools = [st.sampled_from(list(words))] if words else []
    word = st.one_of(*pools, st.sampled_from(WORDS),
                     st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-/,=.", max_size=8))
    args = st.lists(word, max_size=5)
    if words:      # half the time: an option or two, then names that exist
        options = st.lists(st.sampled_from([w for w in WORDS if w.startswith("-")]),
                           max_size=2)
        names_only = st.lists(st.sampled_from(list(words)), min_size=1, max_size=3)
        args = st.one_of(args, st.tuples(options, names_only).map(lambda t: t[0] + t[1]))
    return st.tuples(prog, args).map(
        lambda t: " ".join([t[0]] + [shlex.quote(w) for w in t[1]]))


def words_for(host: Host) -> list[str]:
    """The names on ``host`` (metadevices, their devices, pools, slices, mount points), for
    ``command_lines(words=words_for(host))`` so that drawn lines hit real objects::

        @given(hosts(), st.data())
        def test_robust(host, data):
            for line in data.draw(st.lists(command_lines(words=words_for(host)))):
                ...
    """
    names: list[str] = []
    for s in host.md.sets.values():
        for unit in sorted(s.units):
            names += [unit, f"/dev/md/dsk/{unit}", f"/dev/md/rdsk/{unit}"]
        names += sorted(s.hsps)
    for disk in sorted(host.disks):
        names += [f"{disk}s{n}" for n in sorted(host.disks[disk].slices)]
    names += sorted(getattr(host.fs, "filesystems", {}))
    return names


class ConfinedFiles(FileAccess):
    """Real files for fake commands, kept under ``root`` (``/var/tmp/x`` is root/var/tmp/x).

    ``host.run(line, files=ConfinedFiles(tmp), cwd="/")`` lets drawn command lines write
    and extract archives without touching anything outside ``tmp``.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        for d in ("tmp", "var/tmp"):
            (self.root / d).mkdir(parents=True, exist_ok=True)

    def resolve(self, path: str, cwd: str) -> Path:
        full = os.path.normpath(os.path.join("/", cwd, path))
        return self.root / full.lstrip("/")
