"""Hypothesis strategies for users' own tests: scenarios, hosts, workloads, command lines.

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

:func:`scenarios` draws ``simulator.scenario.Scenario`` objects, the very thing a scenario
file is, and :func:`hosts` builds them with the scenario builder (``simulator.scenario.build``,
the only one), so a shrunk example can be saved as a scenario file (``scenario.to_toml()``;
``hosts()`` notes it when a test fails). Every argument is checked when the strategy is made
(``hypothesis.errors.InvalidArgument`` naming it).

:func:`faults` draws faults of the catalogue that can strike a given host (the same
``Fault`` objects ``svmsim run --fault`` and scenarios take).

:func:`command_lines` draws fake command lines -- valid, odd and garbage -- for robustness
tests. Some of them write or extract files (``ufsdump 0f x.dump``, ``ufsrestore x``): run
them with ``files=ConfinedFiles(tmpdir)`` (or under the ``svm_host`` fixture's fake file
system) so that they stay in a scratch directory.
"""

from __future__ import annotations

import difflib
import itertools
import os
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from hypothesis import note
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from simulator.core.files import FileAccess
from simulator.core.names import md_device
from simulator.core.registry import PROGRAMS
from simulator.host import DEFAULT_DISK_BLOCKS
from simulator.scenario import (
    READ_OPTIONS,
    WRITE_OPTIONS,
    DiskSpec,
    FileSystemSpec,
    HostSpec,
    HspSpec,
    MirrorSpec,
    ReplicaSpec,
    Scenario,
    ScenarioMeta,
    SetupStep,
    StripeSpec,
    WorkloadSpec,
)

if TYPE_CHECKING:
    from simulator.faults import Fault
    from simulator.host import Host

GB = 2 * 1024 * 1024   # blocks
LAYOUTS = ("slice", "concat", "stripe")
MOUNTS = ("/home1", "/export/home", "/export/data", "/var/mail", "/data")
HSP = "hsp001"
UNIT_NUMBERS = 128     # d0..d127: each mirror takes five (itself and up to four submirrors)
MAX_MIRRORS = UNIT_NUMBERS // 5
REPLICA_SLICE = "c0t0d0s7"
S7_BLOCKS = 65536      # slice 7 of each data disk


def workloads() -> st.SearchStrategy[WorkloadSpec]:
    """Workloads from idle to busy, over home directories, mail or everything (a scenario's
    ``[filesystem.workload]``, also accepted by ``host.fs.add_ufs(..., workload=...)``)."""
    return st.builds(WorkloadSpec,
                     writes_per_second=st.sampled_from([0.0, 0.5, 5.0, 50.0]),
                     paths=st.sampled_from([["home/**"], ["var/mail/*"], ["**"]]),
                     creates_per_second=st.sampled_from([0.0, 0.0, 0.2, 2.0]),
                     deletes_per_second=st.sampled_from([0.0, 0.0, 0.1]))


def _invalid(call: str, message: str) -> InvalidArgument:
    return InvalidArgument(f"{call}: {message}")


def _check_topology_args(func: str, max_mirrors: object, allow_failures: object,
                         filesystems: object) -> None:
    """Hypothesis style: a bad argument fails when the strategy is made, naming it."""
    if isinstance(max_mirrors, bool) or not isinstance(max_mirrors, int):
        raise _invalid(f"{func}(max_mirrors={max_mirrors!r})",
                       f"max_mirrors must be an integer (got {type(max_mirrors).__name__})")
    if not 1 <= max_mirrors <= MAX_MIRRORS:
        raise _invalid(f"{func}(max_mirrors={max_mirrors!r})",
                       "max_mirrors must be at least 1" if max_mirrors < 1 else
                       f"max_mirrors must be at most {MAX_MIRRORS}")
    for name, value in (("allow_failures", allow_failures), ("filesystems", filesystems)):
        if not isinstance(value, bool):
            raise _invalid(f"{func}({name}={value!r})",
                           f"{name} must be True or False (got {type(value).__name__})")


def scenarios(max_mirrors: int = 4, allow_failures: bool = True,
              filesystems: bool = True) -> st.SearchStrategy[Scenario]:
    """Scenarios of 1 to ``max_mirrors`` mirrors (see the module doc), ready to build with
    ``scenario.build_host()`` and to print with ``scenario.to_toml()``.

    Each submirror is a slice, a concat of two or a stripe of two, on disks of its own
    (``c1t0d0``, ``c1t1d0``...; replicas on ``c0t0d0s7``); maybe a hot spare pool ``hsp001``
    the submirrors use; a UFS with a workload on a mirror; setup commands taking a submirror
    offline (``metaoffline``) or attaching the last one late (``metattach``: it resyncs);
    with ``allow_failures``, up to two slices with an I/O error; some virtual time passed.
    """
    _check_topology_args("scenarios", max_mirrors, allow_failures, filesystems)
    return _scenarios(max_mirrors, allow_failures, filesystems)


@st.composite
def _scenarios(draw: st.DrawFn, max_mirrors: int, allow_failures: bool,
               filesystems: bool) -> Scenario:
    count = draw(st.integers(1, max_mirrors))
    numbers = draw(st.lists(st.integers(0, UNIT_NUMBERS - 1), min_size=count * 5,
                            max_size=count * 5, unique=True))
    mounts = draw(st.permutations(MOUNTS))
    spares = draw(st.integers(0, 2))
    slice_numbers = itertools.count()

    def new_slice() -> str:
        n = next(slice_numbers)
        return f"c{1 + n // 16}t{n % 16}d0s0"

    spare_slices = [new_slice() for _ in range(spares)]
    disks: list[DiskSpec] = [DiskSpec(name=REPLICA_SLICE[:-2], size=DEFAULT_DISK_BLOCKS)]
    stripes: list[StripeSpec] = []
    mirrors: list[MirrorSpec] = []
    fss: list[FileSystemSpec] = []
    commands: list[str] = []
    biggest = GB
    for i in range(count):
        nsub = draw(st.integers(1, 4))
        chunk = numbers[i * 5:(i + 1) * 5]
        name, subs = f"d{chunk[0]}", [f"d{n}" for n in chunk[1:1 + nsub]]
        pass_num = draw(st.integers(0, 9))
        read = draw(st.sampled_from(READ_OPTIONS))
        write = draw(st.sampled_from(WRITE_OPTIONS))
        size = draw(st.sampled_from([1 * GB, 4 * GB, 36 * GB, 2048 * GB]))
        biggest = max(biggest, size)
        layout = draw(st.sampled_from(LAYOUTS))
        hot_spares = spares > 0 and draw(st.booleans())
        attach_late = nsub >= 2 and draw(st.booleans())
        in_mirror = subs[:-1] if attach_late else subs
        for sub in subs:
            rows = [[new_slice()], [new_slice()]] if layout == "concat" else \
                [[new_slice(), new_slice()]] if layout == "stripe" else [[new_slice()]]
            part = size // sum(len(row) for row in rows)
            disks += [DiskSpec(name=c[:-2], size=part + S7_BLOCKS, slices={0: part, 7: S7_BLOCKS})
                      for row in rows for c in row]
            stripes.append(StripeSpec(name=sub, rows=rows, hsp=HSP if hot_spares else None))
        mirrors.append(MirrorSpec(name=name, submirrors=in_mirror, pass_num=pass_num,
                                  read=read, write=write))
        if len(in_mirror) >= 2 and draw(st.booleans()):
            commands.append(f"metaoffline {name} {draw(st.sampled_from(in_mirror))}")
        if attach_late:
            commands.append(f"metattach {name} {subs[-1]}")
        if filesystems and i < len(mounts) and draw(st.booleans()):
            fss.append(FileSystemSpec(
                mount=mounts[i], device=md_device(name), files=draw(st.integers(0, 200)),
                size=int(size * draw(st.sampled_from([0.01, 0.5, 0.9]))),
                logging=draw(st.booleans()), seed=draw(st.integers(1, 1000)),
                workload=draw(st.none() | workloads())))
    disks[1:1] = [DiskSpec(name=c[:-2], size=biggest + S7_BLOCKS,
                           slices={0: biggest, 7: S7_BLOCKS}) for c in spare_slices]
    components = spare_slices + [c for s in stripes for row in s.rows for c in row]
    failed = draw(st.lists(st.sampled_from(components), max_size=2, unique=True)) \
        if allow_failures else []
    advance = draw(st.sampled_from([0.0, 0.0, 1.0, 30.0]))
    return Scenario(
        meta=ScenarioMeta(name="drawn", description="drawn by "
                          "simulator.testing.strategies.scenarios()"),
        host=HostSpec(hostname="host1"), disks=disks,
        replicas=[ReplicaSpec(device=REPLICA_SLICE, count=3)],
        hsps=[HspSpec(name=HSP, spares=spare_slices)] if spares else [],
        stripes=stripes, mirrors=mirrors, filesystems=fss,
        setup=[SetupStep(commands=commands, io_errors=failed, advance=advance)])


def _build(sc: Scenario) -> Host:
    note(f"the drawn host's scenario:\n{sc.to_toml()}")
    return sc.build_host()


def hosts(max_mirrors: int = 4, allow_failures: bool = True,
          filesystems: bool = True) -> st.SearchStrategy[Host]:
    """Built hosts (see :func:`scenarios`); a failing example notes its scenario as TOML."""
    _check_topology_args("hosts", max_mirrors, allow_failures, filesystems)
    return _scenarios(max_mirrors, allow_failures, filesystems).map(_build)


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


def _check_command_args(programs: Sequence[str] | None, words: Sequence[str] | None) -> None:
    """Hypothesis style: unknown programs and non-string words fail when the strategy is
    made, naming the argument (not when a test first draws from it)."""
    call = f"command_lines(programs={programs!r})"
    if programs is not None:
        if isinstance(programs, str) or not isinstance(programs, Sequence):
            raise _invalid(call, "programs must be a list of program names (got "
                           f"{type(programs).__name__})")
        if not programs:
            raise _invalid(call, "programs must name at least one program (None: every "
                           "fake command)")
        for name in programs:
            if name not in PROGRAMS:
                hint = difflib.get_close_matches(str(name), list(PROGRAMS), n=1)
                extra = f"did you mean {hint[0]!r}? " if hint else ""
                raise _invalid(call, f"{name!r} is not a fake command ({extra}known: "
                               f"{', '.join(sorted(PROGRAMS))})")
    if words is not None:
        call = f"command_lines(words={words!r})"
        if isinstance(words, str) or not isinstance(words, Sequence):
            raise _invalid(call, f"words must be a list of strings (got "
                           f"{type(words).__name__})")
        for w in words:
            if not isinstance(w, str):
                raise _invalid(call, f"words must be strings (got {w!r})")


def command_lines(programs: Sequence[str] | None = None,
                  words: Sequence[str] | None = None) -> st.SearchStrategy[str]:
    """Plausible and implausible fake command lines (``metastat -p d1``), for robustness.

    ``programs`` (names from ``simulator.core.registry.PROGRAMS``) defaults to every fake
    command (sometimes by ``/usr/sbin/`` path). The
    arguments are drawn from :data:`WORDS`, from ``words`` (as often: give the names of the
    host under test, :func:`words_for`) and from short random text. Words are shell-quoted,
    so ``shlex.split`` (what ``host.run`` does with a string) gives them back exactly.
    """
    _check_command_args(programs, words)
    names = st.sampled_from(sorted(programs if programs is not None else PROGRAMS))
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
            names += [unit, md_device(unit), md_device(unit, raw=True)]
        names += sorted(s.hsps)
    for disk in sorted(host.disks):
        names += [f"{disk}s{n}" for n in sorted(host.disks[disk].slices)]
    names += sorted(host.fs.filesystems)
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


# triggers a drawn fault may have: at start, around the procedure's commands, inside the
# long operations, and at a virtual time
FAULT_TRIGGERS = ("start", "before:lockfs", "after:lockfs", "before:metadetach",
                  "after:metadetach", "before:fsck", "fsck:40%", "before:ufsdump",
                  "ufsdump:10%", "ufsdump:50%", "ufsdump:90%", "before:metattach",
                  "after:metattach", "resync:50%", "time:5m")


def faults(host: Host, kinds: Sequence[str] | None = None,
           triggers: Sequence[str] = FAULT_TRIGGERS) -> st.SearchStrategy[Fault]:
    """Faults of the catalogue (``simulator.faults.KINDS``, or ``kinds``) that can strike
    ``host``: each kind at one of its targets there (a kind with no target on the host is
    never drawn) and one of ``triggers``; what ``svmsim run --fault`` and scenarios take.
    Hypothesis shrinks towards the first kind, target and trigger."""
    from simulator.faults import KINDS, parse_fault
    from simulator.faults.kind import WHERES
    names = sorted(kinds) if kinds is not None else sorted(KINDS)
    unknown = [n for n in names if n not in KINDS]
    if unknown:
        raise _invalid("faults", f"kinds: unknown fault kind {unknown[0]!r}")
    if not triggers:
        raise _invalid("faults", "triggers: at least one is needed")
    specs = []
    for name in names:
        kind = KINDS[name]
        targets = list(kind.targets(host)) or ([""] if not kind.needs_target else [])
        # a trigger inside a long operation only for the kinds that can fire there; a kind
        # that takes the host down only with a trigger (at start there is no run to end)
        fits = [t for t in triggers if (t.partition(":")[0] not in WHERES
                                        or t.partition(":")[0] in kind.where)
                and not (kind.downs_host and t == "start")]
        specs += [name + (f":{t}" if t else "") + f"@{trig}" for t in targets for trig in fits]
    if not specs:
        raise _invalid("faults", "no fault kind has a target on this host")
    return st.sampled_from(specs).map(parse_fault)
