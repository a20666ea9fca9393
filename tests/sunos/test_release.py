"""The host's release (simulator.sunos.release): uname values, /etc/release, DiskSuite paths,
kept with the host's state; the SunOS state (eeprom, mail) saved and loaded with the host."""

from __future__ import annotations

import pytest

from simulator import Host
from simulator.core.registry import PROGRAMS
from simulator.sunos.files import release_text
from simulator.sunos.release import RELEASES, program_paths, uname


def test_uname_per_release() -> None:
    """uname.c prints utsname: Solaris 9 9/05, 10 1/13 (the values the harness always had),
    11.4 on sun4v, and an OpenIndiana (illumos-<commit>) i86pc host (module docstring)."""
    assert [uname(r).release for r in RELEASES] == ["5.9", "5.10", "5.11", "5.11"]
    assert uname("5.10").version == "Generic_150400-59"
    assert uname("5.9").version.startswith("Generic_122300-")
    assert uname("5.11").version == "11.4.0.15.0" and uname("5.11").machine == "sun4v"
    assert uname("illumos").version.startswith("illumos-")
    assert uname("illumos").field("p", "h") == "i386"
    with pytest.raises(ValueError, match="not a modelled release"):
        uname("5.8")


def test_release_text_per_release() -> None:
    """/etc/release: 5.10 is the 1/13 text; each release has its own title line."""
    assert release_text("5.10") == release_text("10 1/13")
    titles = [release_text(r).splitlines()[0].strip() for r in RELEASES]
    assert titles == ["Solaris 9 9/05 s9s_u8wos_05 SPARC",
                      "Oracle Solaris 10 1/13 s10s_u11wos_24a SPARC",
                      "Oracle Solaris 11.4 SPARC",
                      "OpenIndiana Hipster 2023.10 (powered by illumos)"]


def test_disksuite_paths_only_on_solaris_9() -> None:
    """DiskSuite 4.x metastat(1M) SYNOPSIS: /usr/opt/SUNWmd/sbin/metastat; Solaris 9
    integrated SVM in /usr/sbin (kept as links on 5.9, decided); later releases have none."""
    paths = PROGRAMS["metastat"].paths
    assert "/usr/opt/SUNWmd/sbin/metastat" in program_paths(paths, "5.9")
    for release in ("5.10", "5.11", "illumos"):
        kept = program_paths(paths, release)
        assert kept == ["/usr/sbin/metastat", "/sbin/metastat"]
    assert program_paths(PROGRAMS["ufsdump"].paths, "5.10") == list(PROGRAMS["ufsdump"].paths)


def test_release_and_sunos_state_are_saved_with_the_host() -> None:
    h = Host(release="5.9")
    h.add_mirror("d10", ["d11", "d12"])
    assert h.run("eeprom boot-device=rootmirror").exit_code == 0
    assert h.run("mailx -s hi root", stdin="body\n").exit_code == 0
    again = Host.from_dict(h.to_dict())
    assert again.release == "5.9"
    assert again.sunos.eeprom == {"boot-device": "rootmirror"}
    assert again.sunos.mail[0].subject == "hi" and again.sunos.mail[0].body == "body\n"
    assert again.sunos.mail[0].recipients == ["root"]
    old = h.to_dict()
    del old["release"], old["sunos"]                 # a state saved before both were kept
    older = Host.from_dict(old)
    assert older.release == "5.10" and older.sunos.eeprom == {} and older.sunos.mail == []
    with pytest.raises(ValueError):
        Host(release="5.8")
