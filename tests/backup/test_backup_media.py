"""Backup media (tapes.py), the typed add_tape, the fstab read, and Solaris strerror texts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from simulator import Host
from simulator.backup.cmd.ufsdump.fstab import device_exists, mnttabread, rawname
from simulator.backup.tapes import (
    DEFAULT_TAPE_CAPACITY,
    DEFAULT_TAPE_RATE,
    Cartridge,
    TapeDrive,
    TapeFile,
    open_tape,
    tape_unit,
)
from simulator.backup.verify import _unit_of
from simulator.core.strerror import SysError, strerror

ELOOP = strerror("ELOOP")          # Linux: "Too many levels of symbolic links"


def make_host() -> Host:
    h = Host("host1")
    h.add_replicas("c0t0d0s7", count=3)
    h.add_mirror("d1", ["d2", "d3"])
    h.fs.add_ufs("/dev/md/dsk/d1", "/home1", size=20000, files=30)
    return h


@dataclass
class Spec:
    """What scenario.TapeSpec looks like."""

    device: str
    capacity: int
    rate_kbs: float | None = None
    cartridges: int = 1


def test_add_tape_keywords_and_a_scenario_spec() -> None:
    b = Host("h").backups
    d = b.add_tape(device="/dev/rmt/1cbn", capacity=1000, cartridges=3)
    assert (d.device, d.capacity, d.rate_kbs, len(d.cartridges)) == \
        ("/dev/rmt/1", 1000, DEFAULT_TAPE_RATE, 3)
    d2 = b.add_tape(Spec("/dev/rmt/2", 500, rate_kbs=100.0, cartridges=2))
    assert (d2.device, d2.capacity, d2.rate_kbs, len(d2.cartridges)) == \
        ("/dev/rmt/2", 500, 100.0, 2)
    assert b.add_tape().capacity == DEFAULT_TAPE_CAPACITY
    assert b.tape("/dev/rmt/2hn") is d2
    with pytest.raises(ValueError, match="not a tape device"):
        b.add_tape(device="/dev/dsk/c0t0d0s0")
    with pytest.raises(ValueError, match="capacity must be positive"):
        b.add_tape(device="/dev/rmt/3", capacity=0)


def test_tape_names_keep_their_digits() -> None:
    assert tape_unit("/dev/rmt/0cbn") == ("/dev/rmt/0", True)
    assert tape_unit("/dev/rmt/12l") == ("/dev/rmt/12", False)
    assert tape_unit("/dev/rmt/00") == ("/dev/rmt/00", False)     # no name of drive 0
    assert tape_unit("/dev/rmt/0x") is None and tape_unit("/dev/null") is None


def test_open_tape_errnos() -> None:
    drive = TapeDrive("/dev/rmt/0", 100, cartridges=[Cartridge(100)])
    m = open_tape(drive, "/dev/rmt/0n", write=True)
    assert (m.kind, m.drive, m.norewind, m.is_tape) == ("tape", drive, True, True)
    with pytest.raises(SysError) as e:
        open_tape(None, "/dev/rmt/0", write=False)
    assert e.value.text == "No such file or directory"
    drive.cartridges[0].write_protected = True
    assert open_tape(drive, "/dev/rmt/0", write=False).drive is drive
    with pytest.raises(SysError) as e:
        open_tape(drive, "/dev/rmt/0", write=True)
    assert e.value.text == "Permission denied"
    drive.loaded = -1
    with pytest.raises(SysError) as e:
        open_tape(drive, "/dev/rmt/0", write=False)
    assert e.value.text == "I/O error"


def test_write_protected_cartridge_cannot_be_opened_for_a_dump() -> None:
    h = make_host()
    drive = h.backups.add_tape(device="/dev/rmt/0", capacity=10 ** 6)
    drive.cartridges[0].write_protected = True
    r = h.run("ufsdump 0f /dev/rmt/0 /home1")
    assert r.exit_code == 3 and r.stderr.endswith(
        "  DUMP: NEEDS ATTENTION: Cannot open `host1:/dev/rmt/0'.  Do you want to retry the "
        "open?: (\"yes\" or \"no\")   DUMP: The ENTIRE dump is aborted.\n")


def test_fstab_read_from_the_model_matches_the_printed_tables() -> None:
    """mnttabread reads host.fs; the result is what parsing /etc/vfstab and /etc/mnttab
    (as the model prints them) gives."""
    h = make_host()
    h.fs.add_ufs("/dev/md/dsk/d3", "/export", size=2000, files=5, mounted=False)
    fs = h.fs
    vfstab = [(f[0], f[2]) for f in (line.split() for line in fs.vfstab_text().splitlines()
                                     if line.strip() and not line.startswith("#"))
              if len(f) >= 4 and f[3] == "ufs"]
    mnttab = [(f[0], f[1]) for f in (line.split() for line in fs.mnttab_text().splitlines())
              if len(f) >= 3 and f[2] == "ufs"]
    got = mnttabread(fs)
    assert [(m.special, m.mountp) for m in got] == vfstab + mnttab
    assert [m.mounted for m in got[:len(vfstab)]] == [p in mnttab for p in vfstab]
    assert ("/dev/md/dsk/d3", "/export") in vfstab and ("/dev/md/dsk/d3", "/export") \
        not in mnttab


def test_device_paths_through_the_one_grammar() -> None:
    h = make_host()
    assert device_exists(h, "/dev/md/rdsk/d1") and device_exists(h, "/dev/md/dsk/d2")
    assert not device_exists(h, "/dev/md/rdsk/d9")
    assert not device_exists(h, "/dev/md/rdsk/d01")          # devfsadm makes no such node
    assert not device_exists(h, "/dev/md/blue/rdsk/d1")       # no such set
    assert device_exists(h, "/dev/rdsk/c0t0d0s7")
    assert not device_exists(h, "/dev/rdsk/c9t0d0s0") and not device_exists(h, "/home1")
    assert rawname(h, "/dev/md/dsk/d1") == "/dev/md/rdsk/d1"
    assert rawname(h, "/dev/md/dsk/d9") == "/dev/md/dsk/d9"   # only existing devices
    assert rawname(h, "/dev/dsk/c0t0d0s7") == "/dev/rdsk/c0t0d0s7"
    assert _unit_of("/dev/md/rdsk/d3") == "d3"
    assert _unit_of("/dev/md/blue/rdsk/d3") == "blue/d3"
    assert _unit_of("/dev/rdsk/c1t0d0s0") == "c1t0d0s0"


def _loop(where: Path) -> Path:
    """A symbolic link loop: opening anything under it fails with ELOOP."""
    (where / "loop").symlink_to(where / "loop")
    return where / "loop"


def test_archive_file_that_cannot_be_created_prints_solaris_strerror(tmp_path: Path) -> None:
    h = make_host()
    toc = _loop(tmp_path) / "toc"
    r = h.run(f"ufsdump 0fa /dev/null {toc} /home1")
    assert r.exit_code == 3 and r.stderr.endswith(
        f"  DUMP: Archiving dump to `{toc}'\n"
        f"  DUMP: Cannot open archive file `{toc}': {ELOOP}\n"
        "  DUMP: The ENTIRE dump is aborted.\n")
    assert "Too many levels" not in r.stderr


def test_ufsrestore_prints_solaris_strerror(tmp_path: Path) -> None:
    h = make_host()
    loop = _loop(tmp_path)
    t = h.run(f"ufsrestore tf {loop}")
    assert (t.exit_code, t.stderr) == (1, f"{loop}: {ELOOP}\n")
    a = h.run(f"ufsrestore taf {loop} /dev/rmt/0")
    assert (a.exit_code, a.stderr) == (1, f"{loop}: {ELOOP}\n")
    assert h.run(f"ufsdump 0f {tmp_path}/d.dump /home1").exit_code == 0
    out = tmp_path / "out"
    out.mkdir()
    (out / "restoresymtable").symlink_to(out / "restoresymtable")
    r = h.run(f"ufsrestore rf {tmp_path}/d.dump", cwd=str(out))
    assert r.exit_code == 1 and r.stderr.endswith(
        f"fopen: {ELOOP}\ncannot create save file ./restoresymtable for symbol table\n")


def test_a_tape_file_made_lazily_reads_as_the_archive_written() -> None:
    """ufsdump hands the tape a function that makes the archive text: it runs once, when the
    text is first read, and the tape file then reads, compares and saves as the text."""
    h = make_host()
    h.run("metadetach d1 d3")
    assert h.run("ufsdump 0f /dev/rmt/0 /dev/md/rdsk/d3").exit_code == 0
    tf = h.backups.tapes["/dev/rmt/0"].cartridges[0].files[0]
    calls = []

    def render() -> str:
        calls.append(1)
        return "svmsim-ufsdump-archive 1\n"
    lazy = TapeFile(render, 7)
    assert not calls
    assert lazy.text == "svmsim-ufsdump-archive 1\n" and lazy.text and len(calls) == 1
    assert lazy == TapeFile("svmsim-ufsdump-archive 1\n", 7)
    assert TapeFile.from_dict(tf.to_dict()) == tf
    assert tf.text.startswith("svmsim-ufsdump-archive 1\n") and tf.text.endswith(
        f"end {tf.text.count(chr(10)) - 3}\n")
    lazy.rewrite(tf.text)
    assert lazy.text == tf.text
