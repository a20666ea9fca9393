"""md.tab: the parser (meta_tab.c parse_tab), the C parsing primitives metainit uses, and the
invariant that ``metastat -p`` fed to ``metainit -a`` rebuilds the same configuration."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import sample_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator import Host
from simulator.lvm.errors import MDError
from simulator.lvm.libmeta.mdtab import (
    SubOpts,
    init_type,
    parse_interlace,
    parse_mdtab,
    parse_sp_size,
    scan_uint,
)

DISKS = [f"c{c}t{t}d0" for c in (1, 2) for t in range(8)]


# ---------------------------------------------------------------------------- parser
def test_parse_comments_continuations_and_context() -> None:
    text = ("# header\n"
            "\n"
            "d10 1 2 c1t0d0s0 c1t1d0s0 -i 32b \\\n"
            "\t 1 c2t0d0s0\n"
            "#d11 1 1 c9t9d9s0 \\\n"
            "d0 -m d10 1\n"
            "   hsp001 c3t0d0s0   \n"
            "mddb01 -c 3 c0t0d0s7\n")
    lines = parse_mdtab(text)
    assert [(ln.cname, ln.type, ln.context) for ln in lines] == [
        ("d10", "stripe", "/etc/lvm/md.tab line 3"),
        ("d0", "mirror", "/etc/lvm/md.tab line 6"),
        ("hsp001", "hsp", "/etc/lvm/md.tab line 7"),
        ("mddb01", "mddb", "/etc/lvm/md.tab line 8"),
    ]
    assert lines[0].argv == ["d10", "1", "2", "c1t0d0s0", "c1t1d0s0", "-i", "32b", "1",
                             "c2t0d0s0"]


def test_parse_rejects_entries_without_a_name() -> None:
    """Only a ``#`` in the first column is a comment; anything else must start with a name."""
    with pytest.raises(MDError) as e:
        parse_mdtab("d10 1 1 c1t0d0s0\n  # indented\n")
    assert (e.value.name, e.value.text) == ("/etc/lvm/md.tab", "syntax error")


def test_parse_sample_md_tab_and_diskset_names() -> None:
    """samples/metastat-p.txt and metastat-p-diskset-backup.txt as md.tab (prompt lines and
    the RAID-5 line are entries too: md.tab takes whatever is written in it)."""
    text = sample_text("metastat-p.txt").split("\n", 1)[1]
    lines = parse_mdtab(text)
    kinds = {ln.cname: ln.type for ln in lines}
    assert kinds["d50"] == "raid" and kinds["d25"] == "stripe" and kinds["d70"] == "mirror"
    assert kinds["d80"] == "sp" and kinds["hsp010"] == "hsp" and kinds["hsp014"] == "hsp"
    d25 = next(ln for ln in lines if ln.cname == "d25")
    assert d25.argv == ["d25", "2", "2", "c1t1d0s3", "c2t1d0s3", "-i", "32b", "1", "c0t0d0s3"]
    ds = sample_text("metastat-p-diskset-backup.txt").splitlines()
    start = ds.index("# metastat -s schost-1 -p") + 1
    lines = parse_mdtab("\n".join(ds[start:start + 4]))
    assert [ln.cname for ln in lines] == ["schost-1/d0", "schost-1/d10", "schost-1/d20",
                                         "schost-1/d30"]


def test_c_primitives() -> None:
    assert [scan_uint(x) for x in ("2", " 3x", "-1", "abc", "+4")] == [2, 3, -1, None, 4]
    assert [parse_sp_size(x) for x in ("all", "1b", "1k", "1m", "2g", "1t", "100", "0m")] == \
        [0, 1, 2, 2048, 4194304, 2147483648, None, None]
    assert parse_interlace("d1", "1024") == 2
    assert [init_type(a.split()) for a in ("hsp001", "d1 -m d2", "d1 -p c0t0d0s0 1g",
                                           "d1 -r a b c", "d1 -t d2", "d1 2 1 c", "d1 xyz")] == \
        ["hsp", "mirror", "sp", "raid", "trans", "stripe", "hsp"]


def test_sub_getopt_restarts_at_argv0() -> None:
    """libmeta's ``optind = 0`` getopt loops: grouped letters, inline arguments, rewinds."""
    g = SubOpts(["-gS", "-i32k", "-r", "x"], "grSi:")
    assert [g.next(), g.next(), g.next(), g.next(), g.next()] == \
        [("g", None), ("S", None), ("i", "32k"), ("r", None), None]
    assert g.optind == 3
    g = SubOpts(["-x", "-i"], "i:")
    assert g.next() == ("?", None) and g.old_optind == 0 and g.optind == 1
    assert g.next() == ("?", None) and g.old_optind == 1


# ---------------------------------------------------------------------------- round trip
def new_host() -> Host:
    h = Host("host1")
    h.add_replicas("c0t0d0s7", count=3)
    for d in DISKS:
        h.add_disk(d)
    return h


@st.composite
def configurations(draw: st.DrawFn) -> list[str]:
    """metainit command lines for a random valid configuration on :data:`DISKS` slice 0."""
    free = [f"{d}s0" for d in DISKS]
    draw(st.randoms()).shuffle(free)
    cmds: list[str] = []
    pools: list[str] = []
    for i in range(draw(st.integers(0, 2))):
        spares = [free.pop() for _ in range(draw(st.integers(0, 2)))]
        pools.append(f"hsp{i + 1:03d}")
        cmds.append(" ".join([pools[-1], *spares]))
    n = 10
    top: list[str] = []      # units nothing is built on yet

    def stripe(max_rows: int = 3) -> str | None:
        nonlocal n
        rows = []
        for _ in range(draw(st.integers(1, max_rows))):
            width = draw(st.integers(1, 3))
            if len(free) < width:
                break
            row = f"{width} " + " ".join(free.pop() for _ in range(width))
            if width > 1 and draw(st.booleans()):
                row += " -i " + draw(st.sampled_from(["16b", "32k", "64k", "1m", "8192"]))
            rows.append(row)
        if not rows:
            return None
        n += 1
        hsp = f" -h {draw(st.sampled_from(pools))}" if pools and draw(st.booleans()) else ""
        cmds.append(f"d{n} {len(rows)} " + " ".join(rows) + hsp)
        return f"d{n}"

    for _ in range(draw(st.integers(0, 2))):
        name = stripe()
        if name:
            top.append(name)
    for _ in range(draw(st.integers(0, 2))):
        subs = [s for s in (stripe(2) for _ in range(draw(st.integers(1, 4)))) if s]
        if not subs:
            continue
        n += 1
        opts = draw(st.sampled_from(["", " -g", " -r"])) + draw(st.sampled_from(["", " -S"]))
        cmds.append(f"d{n} -m {' '.join(subs)}{opts} {draw(st.integers(0, 9))}")
        top.append(f"d{n}")
    sp_slices: list[str] = []   # slices given over to soft partitions
    for _ in range(draw(st.integers(0, 4))):
        bases = top + sp_slices + free[-1:]
        if not bases:
            break
        base = draw(st.sampled_from(bases))
        if base in free:
            free.remove(base)
            sp_slices.append(base)
        n += 1
        size = draw(st.sampled_from(["10m", "1g", "64k", "100b", "3m"]))
        cmds.append(f"d{n} -p {base} {size}")
    if free and draw(st.booleans()):
        n += 1
        cmds.append(f"d{n} -p {free.pop()} 1g")
        cmds.append(f"d{n + 1} 1 1 d{n}")        # a concat built on a soft partition
        n += 1
    return cmds


def without_times(obj: Any) -> Any:
    """A model dict with every timestamp dropped and lists of named records keyed by name."""
    if isinstance(obj, dict):
        return {k: without_times(v) for k, v in obj.items() if k != "timestamp"}
    if isinstance(obj, list):
        items = [without_times(v) for v in obj]
        if items and all(isinstance(v, dict) and "name" in v for v in items) \
                and all(isinstance(v, dict) and "kind" in v or "spares" in v for v in items):
            return {v["name"]: v for v in items}
        return items
    return obj


def entries(md_tab: str) -> list[str]:
    """``metastat -p`` entries (continuations joined), order-free."""
    return sorted(" ".join(e.split()) for e in md_tab.replace("\\\n", " ").splitlines())


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(configurations())
def test_metastat_p_rebuilds_the_configuration(cmds: list[str]) -> None:
    """``metastat -p`` as md.tab on a fresh host with the same disks and replicas rebuilds an
    identical configuration.

    The order of the ``metastat -p`` lines follows the driver's lists (newest unit first),
    and ``metainit -a`` creates units in dependency order, so the two listings are compared
    as sets of entries; everything else must be equal.
    """
    a = new_host()
    for cmd in cmds:
        r = a.run(f"metainit {cmd}")
        assert r.exit_code == 0, (cmd, r.stderr)
    md_tab = a.run("metastat -p").stdout
    b = new_host()
    b.md.mdtab = md_tab
    r = b.run("metainit -a")
    assert r.exit_code == 0, r.stderr
    assert entries(b.run("metastat -p").stdout) == entries(md_tab)
    sa, sb = a.md.to_dict()["sets"], b.md.to_dict()["sets"]
    assert without_times(sa) == without_times(sb)
