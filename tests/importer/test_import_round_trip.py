"""Issue 16: each captured host imported, then its metastat, metastat -p, metadb and
metahs -i compared with the captures line by line (tabs and trailing blanks aside).

The captures (tests/importer/captures/<host>/, made as make_captures.py says) follow the
layouts of illumos libmeta's printing code: meta_mirror.c mirror_report (submirror states,
"Resync in progress: N % done", "Invoke:"), meta_stripe.c subdev_row_report (component
state and Hot Spare columns), meta_sp.c meta_sp_report / meta_sp_short_print (extents),
meta_hotspares.c hsp_report (In use, Broken), metadb.c (flags), meta_print.c
meta_print_devid (Device Relocation Information)."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.host import Host
from simulator.importer import import_scenario, round_trip
from simulator.importer.captures import Capture, Captures, read_archive
from simulator.scenario import build_host, parse_scenario, shipped_scenarios

CAPTURES = Path(__file__).resolve().parent / "captures"
HOSTS = ["zeus", "hera", "apollo", "athena", "hermes"]


def imported(host: str) -> tuple[Captures, str]:
    caps = read_archive(str(CAPTURES / host))
    _, text, _ = import_scenario(caps, host)
    return caps, text


@pytest.mark.parametrize("name", HOSTS)
def test_every_captured_line_is_reproduced(name: str) -> None:
    """The scenario written loads through the scenario loader, and its host prints every
    line of the four captures, in order, and nothing else."""
    caps, text = imported(name)
    sc = parse_scenario(text, f"{name}.toml", name)
    total, mismatches = round_trip(sc.build_host(), caps)
    assert total > 40
    assert [m.text() for m in mismatches] == []


def test_root_mirror_host_keeps_its_layout() -> None:
    """zeus: / on mirror d10 of d11 d12, swap mirror d20, /var mirror d30, three replicas
    on each s7, the disks' geometry (27 heads x 107 sectors) and device IDs kept."""
    _, text = imported("zeus")
    sc = parse_scenario(text, "zeus.toml", "zeus")
    assert [m.name for m in sc.mirrors] == ["d10", "d20", "d30"]      # oldest first
    assert {(fs.mount, fs.device) for fs in sc.filesystems} == {
        ("/", "/dev/md/dsk/d10"), ("/var", "/dev/md/dsk/d30")}
    assert [(r.device, r.count) for r in sc.replicas] == [("c1t0d0s7", 3), ("c1t1d0s7", 3)]
    disk = sc.disks[0]
    assert (disk.heads, disk.sectors) == (27, 107)
    assert disk.devid == "id1,sd@SSEAGATE_ST336607LSUN36G_3JA6E2F100007412F1C3"
    assert sc.setup == []
    assert sc.host.hostname == "zeus" and sc.host.release == "5.10"


def test_soft_partitions_keep_their_extents() -> None:
    """hera (Solaris 9): the soft partitions on mirror d70 are placed at metastat -p's
    -o/-b, not where metainit's first fit would put them."""
    _, text = imported("hera")
    sc = parse_scenario(text, "hera.toml", "hera")
    sps = {sp.name: sp for sp in sc.softparts}
    assert sps["d82"].extents == [[4197376, 4194304]] and sps["d82"].component == "d70"
    assert sps["d123"].extents == [[1, 204800]]
    assert sc.host.release == "5.9"
    assert next(fs for fs in sc.filesystems if fs.mount == "/export/apps").logging is False


def test_states_become_setup_steps() -> None:
    """apollo: a Broken spare and a spare In use become I/O errors (the spare first, so
    that the other one takes over) and the time the spare's resync takes; athena: the
    Maintenance component fails before the Last Erred one; hermes: the attached
    submirror's resync is started and left at 37 %."""
    apollo = parse_scenario(imported("apollo")[1], "apollo.toml", "apollo")
    assert apollo.setup[0].io_errors == ["c3t0d0s0", "c1t1d0s0"]
    assert apollo.setup[0].advance > 800           # 16 GB at 20 MB/s: 819.2 s
    athena = parse_scenario(imported("athena")[1], "athena.toml", "athena")
    errors = athena.setup[0].io_errors
    assert errors.index("c1t1d0s1") < errors.index("c1t0d0s1")
    hermes_caps, hermes_text = imported("hermes")
    hermes = parse_scenario(hermes_text, "hermes.toml", "hermes")
    assert hermes.setup[0].commands == ["metadetach d10 d12", "metattach d10 d12"]
    out = hermes.build_host().run("metastat d10").stdout
    assert "    Resync in progress: 37 % done\n" in out
    assert "# d12 attached, Resyncing (37 % done)" in hermes_text


def test_tabs_and_trailing_blanks_do_not_matter() -> None:
    """A capture pasted from a terminal (tabs expanded, trailing blanks cut) imports and
    round-trips the same."""
    caps = read_archive(str(CAPTURES / "apollo"))
    for attr in ("metastat", "metastat_p", "metadb", "metahs"):
        cap = getattr(caps, attr)
        flat = "\n".join(line.expandtabs().rstrip() for line in cap.lines()) + "\n"
        setattr(caps, attr, Capture(cap.source, flat))
    _, _, sc = import_scenario(caps, "apollo")
    _, mismatches = round_trip(sc.build_host(), caps)
    assert mismatches == []


def test_a_line_the_host_does_not_print_is_listed() -> None:
    """A captured line the imported host prints differently is named with its line number,
    the captured text and what the host prints instead."""
    caps = read_archive(str(CAPTURES / "zeus"))
    assert caps.metastat is not None
    lines = caps.metastat.lines()
    i = lines.index("    Write option: parallel (default)")
    lines[i] = "    Write option: serial (-S)"
    caps.metastat = Capture("zeus/metastat", "\n".join(lines) + "\n")
    _, _, sc = import_scenario(caps, "zeus")
    _, mismatches = round_trip(sc.build_host(), caps)
    assert [(m.lineno, m.captured, m.printed) for m in mismatches] == [
        (i + 1, "    Write option: serial (-S)", "Write option: parallel (default)")]
    assert mismatches[0].text().startswith(f"zeus/metastat line {i + 1}: ")


def captures_of(host: Host) -> Captures:
    """What svm-capture.sh would collect on ``host``, taken in-process."""
    caps = Captures()
    for attr, cmd in [("metastat_p", "metastat -p"), ("metastat", "metastat"),
                      ("metadb", "metadb"), ("df", "df -k")]:
        setattr(caps, attr, Capture(attr, host.run(cmd).stdout))
    res = host.run("metahs -i")
    caps.metahs = Capture("metahs-i", res.stdout + res.stderr)
    caps.vfstab = Capture("vfstab", host.fs.vfstab_text())
    caps.mnttab = Capture("mnttab", host.fs.mnttab_text())
    for d in host.disks:
        caps.prtvtoc[d] = Capture(f"prtvtoc.{d}", host.run(f"prtvtoc /dev/rdsk/{d}s2").stdout)
    return caps


@pytest.mark.parametrize("name", shipped_scenarios())
def test_every_shipped_scenario_round_trips(name: str) -> None:
    """Each shipped scenario's host, captured, imports to a host that prints the same four
    reports, states included: a stale database's banner and W flags (metastat.c, metadb.c),
    a submirror left offline (Needs maintenance, Invoke: metaonline: meta_mirror.c
    sm_state_to_action), an empty submirror slot (Submirror 2 after a detach on 5.10:
    mirror.c mirror_detach), Last Erred, a resync at 40 %, a hot spare in use; without
    uname -a, the host name metahs -i's message carries."""
    caps = captures_of(build_host(name))
    _, _, sc = import_scenario(caps, name)
    _, mismatches = round_trip(sc.build_host(), caps)
    assert [m.text() for m in mismatches] == []
