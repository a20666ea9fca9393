"""The shortcuts of a step of virtual time on the file system side, and of the synthetic
root, (issue 17) answer what the plain ways answer.

``Workload.due`` answers a stretch in which no operation falls at once (a command's step of
time); ``Locks._advance`` looks at a mirror's submirrors once (a steady mirror's writes are
local); the synthetic root is a copy of one kept per boot time. Each is compared here with
the plain computation it stands for.
"""

from __future__ import annotations

from fshelpers import make_host
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator import Host
from simulator.lvm.md.records import Mirror
from simulator.lvm.md.states import SmState
from simulator.ufs import locks
from simulator.ufs.filesystems import DEFAULT_ROOT_DEVICE, FileSystem
from simulator.ufs.image import Geometry, Image, base_tree
from simulator.ufs.workload import Workload


def plain_due(wl: Workload, dt: float, tail: float = 0.0, sample_over: int | None = None
              ) -> tuple[dict[str, int], list[tuple[float, str]]]:
    """``Workload.due`` as it was written before its shortcut (every kind worked out)."""
    rates = ((wl.writes_per_second, "modify"), (wl.creates_per_second, "create"),
             (wl.deletes_per_second, "delete"))
    spans = []
    for i, (rate, kind) in enumerate(rates):
        if rate <= 0:
            continue
        start = wl.acc[i]
        total = start + rate * dt
        n = int(total)
        k0 = max(0, min(n, int(start + rate * max(0.0, dt - tail))))
        spans.append((i, rate, kind, start, total, n, k0))
    sample = sample_over is not None and sum(s[6] for s in spans) > sample_over
    counts: dict[str, int] = {}
    out: list[tuple[float, str]] = []
    for i, rate, kind, start, total, n, k0 in spans:
        first = 0
        if sample:
            counts[kind] = first = k0
        for k in range(first, n):
            out.append((((k + 1) - start) / (rate * dt) if dt > 0 else 1.0, kind))
        wl.acc[i] = total - n
    out.sort()
    return counts, out


rates = st.sampled_from([0.0, 0.0, 0.2, 1.0, 5.0, 20.0, 1e-9])
fractions = st.floats(min_value=-0.999, max_value=0.999, allow_nan=False)
steps = st.sampled_from([0.0, 0.05, 0.14072, 0.1999, 1.0, 3.9875984, 30.0, 52.0119, 120.0])


@settings(deadline=None)
@given(st.tuples(rates, rates, rates), st.tuples(fractions, fractions, fractions),
       st.lists(st.tuples(steps, st.sampled_from([0.0, 30.0]),
                          st.sampled_from([None, 0, 64, -1])), min_size=1, max_size=12))
def test_due_answers_as_the_plain_count(r: tuple[float, float, float],
                                        acc: tuple[float, float, float],
                                        calls: list[tuple[float, float, int | None]]) -> None:
    fast = Workload(writes_per_second=r[0], creates_per_second=r[1],
                    deletes_per_second=r[2], acc=list(acc))
    plain = Workload(writes_per_second=r[0], creates_per_second=r[1],
                     deletes_per_second=r[2], acc=list(acc))
    for dt, tail, over in calls:
        assert fast.due(dt, tail=tail, sample_over=over) == \
            plain_due(plain, dt, tail=tail, sample_over=over)
        assert fast.acc == plain.acc
        assert [x.hex() if isinstance(x, float) else x for x in fast.acc] == \
            [x.hex() if isinstance(x, float) else x for x in plain.acc]


def _plain_steady_and_local(core, on):  # type: ignore[no-untyped-def]
    """(whether every write reaches the same devices whenever it is made, whether fsflush's
    writes stay in the file system's image): each worked out on its own."""
    steady = True
    if on is not None:
        for slot in on[1].submirrors:
            if slot.state & (SmState.OFFLINE | SmState.OFFLINE_RESYNC | SmState.ATTACHED):
                steady = False
    return steady, on is None or not core._stale_submirrors(on)


STATES = [SmState.RUNNING, SmState.COMP_ERRED, SmState.COMP_RESYNC, SmState.ATTACHED,
          SmState.ATTACHED_RESYNC, SmState.OFFLINE, SmState.OFFLINE_RESYNC,
          SmState.ALL_ERRED, SmState.OFFLINE | SmState.COMP_ERRED,
          SmState.ATTACHED | SmState.ATTACHED_RESYNC]


@settings(deadline=None)
@given(st.lists(st.sampled_from(STATES), min_size=1, max_size=3), st.booleans())
def test_one_look_at_the_submirrors_is_both_answers(states: list[SmState],
                                                    frozen: bool) -> None:
    _, core = make_host()
    fs = core.filesystems["/home1"]
    on = core._mirror_on(fs)
    assert on is not None and isinstance(on[1], Mirror)
    for i, (slot, state) in enumerate(zip(on[1].submirrors, states, strict=False)):
        slot.state = state
        if frozen and i % 2 == 0:
            core.frozen[on[0].display(slot.name)] = fs.image.snapshot()
    steady, local = _plain_steady_and_local(core, on)
    assert locks._steady(on) == steady
    assert (steady or locks._local(core, on)) == local


def _plain_root(boot_time: int) -> FileSystem:
    """The synthetic root as ``FileSystems.root`` made it before it was kept."""
    base = base_tree(0, 20000, 9000000, float(boot_time - 86400 * 30))
    geo = Geometry.for_device(16777216, base.max_ino)
    img = Image(base, geo, logging=True, last_mounted="/")
    fs = FileSystem("/", DEFAULT_ROOT_DEVICE, img, img.copy(), mounted=True,
                    mount_time=boot_time, fsck_pass="1", options="-", synthetic=True)
    fs.image.last_mounted = "/"
    return fs


def _saved(fs: FileSystem) -> dict[str, object]:
    return {k: v for k, v in vars(fs).items() if k not in ("image", "live", "pending")} | {
        "image": fs.image.to_dict(), "live": fs.live.to_dict(), "pending": fs.pending}


def test_the_synthetic_root_is_the_one_made_afresh() -> None:
    hosts = [Host("a"), Host("b")]
    roots = [h.fs.root() for h in hosts]
    for h, fs in zip(hosts, roots, strict=True):
        plain = _plain_root(h.fs.boot_time)
        assert fs == plain
        assert _saved(fs) == _saved(plain)
        assert fs.image == plain.image and fs.live == plain.live
        assert not fs.image.frozen and not fs.live.frozen
        assert h.fs.root() is fs
    # each host's root is its own: changing one leaves the other (and the kept one) alone
    a, b = roots
    assert a.image is not b.image and a.live is not b.live and a.pending is not b.pending
    assert a.image._overlay is not b.image._overlay
    path = next(e.path for e in a.live.entries() if e.kind == "f")
    a.live.remove(path)
    a.image.clean = False
    a.pending.append(None)  # type: ignore[arg-type]
    c = Host("c").fs.root()
    assert a.live.get(path) is None
    assert c.live.get(path) is not None and b.live.get(path) is not None
    assert c.image.clean and b.image.clean and c.pending == [] == b.pending
    assert _saved(c) == _saved(_plain_root(c.mount_time))


def test_a_reloaded_host_has_the_same_root() -> None:
    h = Host("a")
    h.fs.root()
    again = Host.from_dict(h.to_dict())
    assert again.to_dict() == h.to_dict()
    assert again.fs.root() == h.fs.root()


def test_the_kept_root_follows_the_shared_base_tree() -> None:
    """A kept root is handed out only while its base tree is the one base_tree shares: once
    the shared trees are emptied (they are bounded), the root is made anew with the new one,
    as a root made from scratch would be (found when the suite's order emptied them)."""
    import simulator.ufs.image as image
    first = Host("a").fs.root()
    image._BASES.clear()
    again = Host("b").fs.root()
    plain = _plain_root(again.mount_time)
    assert again.image.base is plain.image.base is not first.image.base
    assert again == plain
