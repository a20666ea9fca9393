"""Hypothesis strategies for users' own tests: topologies, hosts and workloads.

    from hypothesis import given
    from simulator.strategies import hosts

    @given(hosts())
    def test_my_check_never_crashes(host):
        assert my_monitor(host.run("metastat").stdout) in ("OK", "WARNING", "CRITICAL")

Everything drawn is valid for the model (names, sizes, 1-4 submirrors), so failures point at
the code under test, and Hypothesis shrinks them to small topologies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

if TYPE_CHECKING:
    from .model.host import Host

GB = 2 * 1024 * 1024   # blocks


@dataclass
class MirrorSpec:
    """A mirror to build: its name, its submirrors, and options."""

    name: str
    submirrors: list[str]
    pass_num: int = 1
    read_option: str = "roundrobin"
    write_option: str = "parallel"
    size: int = 4 * GB


@dataclass
class Topology:
    """A set of mirrors (each submirror a one-slice concat on its own disk)."""

    mirrors: list[MirrorSpec] = field(default_factory=list)
    failed_components: list[str] = field(default_factory=list)

    def build(self, hostname: str = "host1") -> Host:
        from .model.host import Host
        host = Host(hostname)
        host.add_replicas("c0t0d0s7", count=3)
        disk = 0
        for m in self.mirrors:
            for sub in m.submirrors:
                name = f"c1t{disk}d0"
                host.add_disk(name, m.size + 65536, {0: m.size, 7: 65536})
                host.add_stripe(sub, f"{name}s0")
                disk += 1
            host.vm.create_mirror(host.vm.sets[""], m.name, m.submirrors, m.read_option,
                                  m.write_option, m.pass_num)
        for comp in self.failed_components:
            host.vm.io_error(comp)
        return host


@st.composite
def topologies(draw: Any, max_mirrors: int = 4, allow_failures: bool = True) -> Topology:
    """Mirrors of 1-4 submirrors with unique dN names, options, and maybe failed slices."""
    count = draw(st.integers(1, max_mirrors))
    numbers = draw(st.lists(st.integers(0, 127), min_size=count * 5, max_size=count * 5,
                            unique=True))
    mirrors = []
    for i in range(count):
        nsub = draw(st.integers(1, 4))
        chunk = numbers[i * 5:(i + 1) * 5]
        mirrors.append(MirrorSpec(
            name=f"d{chunk[0]}", submirrors=[f"d{n}" for n in chunk[1:1 + nsub]],
            pass_num=draw(st.integers(0, 9)),
            read_option=draw(st.sampled_from(["roundrobin", "geometric", "first"])),
            write_option=draw(st.sampled_from(["parallel", "serial"])),
            size=draw(st.sampled_from([1 * GB, 4 * GB, 36 * GB, 2048 * GB]))))
    topo = Topology(mirrors)
    ndisks = sum(len(m.submirrors) for m in mirrors)
    if allow_failures and ndisks:
        failed = draw(st.lists(st.integers(0, ndisks - 1), max_size=2, unique=True))
        topo.failed_components = [f"c1t{n}d0s0" for n in failed]
    return topo


def hosts(max_mirrors: int = 4, allow_failures: bool = True) -> st.SearchStrategy[Host]:
    """Built hosts (see :func:`topologies`)."""
    return topologies(max_mirrors, allow_failures).map(lambda t: t.build())


@dataclass
class Workload:
    """A file-system workload: writes per virtual second over files matching ``paths``."""

    writes_per_second: float
    paths: list[str]


def workloads() -> st.SearchStrategy[Workload]:
    """Workloads from idle to busy, over home directories, mail or everything."""
    return st.builds(Workload,
                     writes_per_second=st.sampled_from([0.0, 0.5, 5.0, 50.0]),
                     paths=st.sampled_from([["home/**"], ["var/mail/*"], ["**"]]))


def command_lines() -> st.SearchStrategy[str]:
    """Plausible and implausible SVM command lines, for robustness tests."""
    names = st.sampled_from(["metastat", "metadetach", "metattach", "metaoffline",
                             "metaonline", "metareplace", "metasync", "metaclear", "metadb"])
    words = st.one_of(st.sampled_from(["d0", "d1", "d2", "d3", "d99", "-f", "-p", "-c", "-s",
                                       "c1t0d0s0", "hsp001", "-e", "--", ""]),
                      st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-/", max_size=8))
    return st.tuples(names, st.lists(words, max_size=4)).map(
        lambda t: " ".join([t[0]] + [repr(w) if " " in w or not w else w for w in t[1]]))
