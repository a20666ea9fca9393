"""Issue 16 review: captures of real hosts (tests/importer/captures/real-*/, sources in
captures/README-real.md) imported and round-tripped; what still differs from them is
asserted, with the reason, so that a change in it is seen."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.importer import Unimportable, import_scenario, round_trip
from simulator.importer.captures import Capture, Captures, read_archive
from simulator.importer.mdtab import parse_metastat_p
from simulator.scenario.schema import Scenario
from tests.conftest import sample_text

CAPTURES = Path(__file__).resolve().parent / "captures"


def trip(host: str) -> tuple[int, list[str], Scenario]:
    caps = read_archive(str(CAPTURES / host))
    plan, _, sc = import_scenario(caps, host)
    total, mismatches = round_trip(sc.build_host(), caps)
    return total, [m.text() for m in mismatches], sc


@pytest.mark.parametrize("host", ["real-setaoffice", "real-rootmirror"])
def test_real_hosts_round_trip(host: str) -> None:
    """setaoffice.com's Solaris 10 mirror in Needs maintenance (Invoke: metareplace, device
    IDs, the Device Relocation order) with itsiti.com's stale replicas (W p luo); the
    Guide's root mirror (d10 /, d20 swap, d30 /var): every captured line reproduced."""
    total, mismatches, _ = trip(host)
    assert total >= 16
    assert mismatches == []


def test_maintenance_becomes_an_io_error() -> None:
    _, _, sc = trip("real-setaoffice")
    assert sc.setup[0].io_errors == ["c0t0d0s5"]
    assert [r.flags for r in sc.replicas][1] == ["Wpluo", "Wpluo"]


def test_soft_partitions_on_a_mirror_differ_only_in_order() -> None:
    """The Guide's final configuration (soft partitions d80-d85 on mirror d70, hot spare
    pools, the stale replica of Example 7-4): every line is printed; d81-d85 come after
    d70's tree (meta_sp.c meta_sp_print: the metadevice follows the first soft partition
    on it), reported as moved, not as missing."""
    total, mismatches, sc = trip("real-lexicon")
    assert total == 54
    assert len(mismatches) == 5
    assert all("order of lines differs" in m for m in mismatches)
    assert all(f"'d8{i} -p d70" in m for i, m in zip(range(1, 6), mismatches, strict=True))
    sps = {sp.name: sp for sp in sc.softparts}
    assert sps["d85"].extents == [[10485766, 2097152]]


def test_the_guide_configuration_with_raid5_is_refused() -> None:
    """The whole text (with d50 -r ...) names its line and exits 2 in the CLI: RAID-5 is
    not simulated, never a silently different host."""
    text = "\n".join(sample_text("metastat-p.txt").splitlines()[1:]) + "\n"
    with pytest.raises(Unimportable, match=r"line 1: d50 -r .*RAID-5"):
        parse_metastat_p(Capture("metastat-p", text))


def test_old_layout_differs_as_documented() -> None:
    """Avaya's Solaris 8/9-era metastat (no Reloc column, no size in GB): the import
    succeeds (Pass: 2 kept, DiskSuite's 1034-block replicas with flags 'a u'); the layout
    lines differ because no simulated release prints that layout."""
    total, mismatches, sc = trip("real-avaya")
    assert sc.mirrors[0].pass_num == 2
    assert [(r.count, r.length) for r in sc.replicas] == [(1, 1034)] * 3
    assert total == 31
    assert mismatches and all("Size: 4202688 blocks" in m or "Device" in m or "c1t" in m
                              or "prints a line the capture does not have" in m
                              for m in mismatches)


def test_pasted_capture_without_files() -> None:
    caps = Captures(metastat_p=Capture("p", "d1 -m d11 d12 2\nd11 1 1 c1t0d0s1\n"
                                       "d12 1 1 c1t1d0s1\n"),
                    metadb=Capture("db", "     a        u         16              1034"
                                   "            /dev/dsk/c4t3d0s2\n"))
    _, text, _ = import_scenario(caps, "pasted")
    assert "pass = 2" in text
