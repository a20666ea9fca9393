"""How the capture fixtures were made: each host's layout (below) built by the simulator,
then its commands' output written as drivers/svm-capture.sh writes it, one file each.

The layouts are real-looking hosts (after /work/shared/reference/samples and the Solaris
Volume Manager Administration Guide's examples); the printouts are the simulator's, whose
layouts follow libmeta's printf formats (meta_mirror.c, meta_stripe.c, meta_sp.c,
meta_hotspares.c, metadb.c, prtvtoc.c). The vfstab's swap line is the host's own (the
simulator's vfstab writer puts swap on c0t0d0s1). The tests import these files and never
this script; run it (``python tests/importer/captures/make_captures.py``) only to remake
them after a deliberate change of a layout.
"""

from __future__ import annotations

import sys
from pathlib import Path

from simulator.scenario import parse_scenario
from simulator.sunos.files import release_text
from simulator.sunos.release import uname

HERE = Path(__file__).resolve().parent

_SEAGATE = "id1,sd@SSEAGATE_ST336607LSUN36G_3JA6{}0000{}"
DEV = {d: _SEAGATE.format(s, n) for d, s, n in [
    ("c1t0d0", "E2F1", "7412F1C3"), ("c1t1d0", "E4C7", "7413A09D"),
    ("c1t2d0", "DQ9B", "7501B2AA"), ("c1t3d0", "DR11", "7501C7E0"),
    ("c2t2d0", "F0K2", "7502D115"), ("c2t3d0", "F0M8", "7503A4B2"),
    ("c3t0d0", "G7P3", "7504E381"), ("c3t1d0", "G7Q9", "7505F412")]}


def disk(name: str, slices: str, size: str = "36GB", devid: bool = True) -> str:
    dev = f'devid = "{DEV[name]}"\n' if devid and name in DEV else ""
    return (f'[[disk]]\nname = "{name}"\nsize = "{size}"\nheads = 27\nsectors = 107\n'
            f"slices = {{ {slices} }}\n{dev}\n")


ROOT_SLICES = '"0" = "12GB", "1" = "4GB", "3" = "8GB", "7" = "32MB"'
HOSTS: dict[str, str] = {
    # a root mirror d10 of d11 d12, swap mirror d20, /var mirror d30
    "zeus": f"""
[host]
hostname = "zeus"
release = "5.10"
{disk("c1t0d0", ROOT_SLICES)}{disk("c1t1d0", ROOT_SLICES)}
[[replica]]
device = "c1t0d0s7"
count = 3
[[replica]]
device = "c1t1d0s7"
count = 3
""" + "".join(f"""
[[stripe]]
name = "d{n}1"
rows = [["c1t0d0s{s}"]]
[[stripe]]
name = "d{n}2"
rows = [["c1t1d0s{s}"]]
[[mirror]]
name = "d{n}0"
submirrors = ["d{n}1", "d{n}2"]
""" for n, s in ((1, 0), (2, 1), (3, 3))) + """
[[filesystem]]
mount = "/"
device = "/dev/md/dsk/d10"
size = "5GB"
files = 100
options = "logging"
[[filesystem]]
mount = "/var"
device = "/dev/md/dsk/d30"
size = "2GB"
files = 50
options = "logging"
""",
    # soft partitions on a mirror (the Administration Guide's d70 of d71 d72) and on slices
    "hera": f"""
[host]
hostname = "hera"
release = "5.9"
{disk("c1t2d0", '"3" = "4GB", "7" = "32MB"', "18GB")}\
{disk("c1t3d0", '"3" = "6GB", "4" = "6GB", "5" = "5GB", "6" = "1GB"', "18GB")}\
{disk("c2t3d0", '"3" = "6GB", "4" = "6GB", "5" = "5GB"', "18GB")}\
{disk("c2t2d0", '"3" = "4GB", "7" = "32MB"', "18GB")}
[[replica]]
device = "c1t2d0s7"
count = 2
[[replica]]
device = "c2t2d0s7"
count = 2
[[stripe]]
name = "d71"
rows = [["c1t3d0s3"], ["c1t3d0s4"], ["c1t3d0s5"]]
[[stripe]]
name = "d72"
rows = [["c2t3d0s3"], ["c2t3d0s4"], ["c2t3d0s5"]]
[[mirror]]
name = "d70"
submirrors = ["d71", "d72"]
[[softpart]]
name = "d123"
component = "c1t3d0s6"
size = "100MB"
[[softpart]]
name = "d80"
component = "d70"
size = "1GB"
[[softpart]]
name = "d81"
component = "d70"
size = "1GB"
[[softpart]]
name = "d82"
component = "d70"
size = "2GB"
[[stripe]]
name = "d1"
rows = [["c1t2d0s3"]]
[[stripe]]
name = "d2"
rows = [["c2t2d0s3"]]
[[filesystem]]
mount = "/export/home"
device = "/dev/md/dsk/d80"
size = "600MB"
files = 40
[[filesystem]]
mount = "/export/apps"
device = "/dev/md/dsk/d82"
size = "1GB"
files = 40
logging = false
""",
    # hot spares: c3t1d0s0 In use for the failed c1t1d0s0, one spare Broken
    "apollo": f"""
[host]
hostname = "apollo"
release = "5.10"
{disk("c1t0d0", '"0" = "16GB", "7" = "32MB"')}{disk("c1t1d0", '"0" = "16GB"')}\
{disk("c3t0d0", '"0" = "16GB"')}{disk("c3t1d0", '"0" = "16GB"')}
[[replica]]
device = "c1t0d0s7"
count = 3
[[hsp]]
name = "hsp001"
spares = ["c3t0d0s0", "c3t1d0s0"]
[[hsp]]
name = "hsp002"
[[stripe]]
name = "d11"
rows = [["c1t0d0s0"]]
hsp = "hsp001"
[[stripe]]
name = "d12"
rows = [["c1t1d0s0"]]
hsp = "hsp001"
[[mirror]]
name = "d10"
submirrors = ["d11", "d12"]
[[filesystem]]
mount = "/export/data"
device = "/dev/md/dsk/d10"
size = "9GB"
files = 200
options = "logging"
[[setup]]
io_errors = ["c3t0d0s0", "c1t1d0s0"]
advance = "20m"
""",
    # a submirror in Maintenance, and a mirror whose last good component failed
    "athena": f"""
[host]
hostname = "athena"
release = "5.11"
{disk("c1t0d0", '"0" = "8GB", "1" = "8GB", "7" = "32MB"')}\
{disk("c1t1d0", '"0" = "8GB", "1" = "8GB", "7" = "32MB"')}
[[replica]]
device = "c1t0d0s7"
count = 2
[[replica]]
device = "c1t1d0s7"
count = 2
[[stripe]]
name = "d1"
rows = [["c1t0d0s0"]]
[[stripe]]
name = "d2"
rows = [["c1t1d0s0"]]
[[mirror]]
name = "d0"
submirrors = ["d1", "d2"]
[[stripe]]
name = "d41"
rows = [["c1t0d0s1"]]
[[stripe]]
name = "d42"
rows = [["c1t1d0s1"]]
[[mirror]]
name = "d40"
submirrors = ["d41", "d42"]
[[filesystem]]
mount = "/export/home"
device = "/dev/md/dsk/d0"
size = "3GB"
files = 80
options = "logging"
[[setup]]
io_errors = ["c1t1d0s0", "c1t1d0s1", "c1t0d0s1"]
advance = "1m"
""",
    # a submirror attached and resyncing, 37 % done, beside an Okay mirror
    "hermes": f"""
[host]
hostname = "hermes"
release = "illumos"
{disk("c1t0d0", '"0" = "16GB", "3" = "4GB", "7" = "32MB"', "24GB")}\
{disk("c1t1d0", '"0" = "16GB", "3" = "4GB", "7" = "32MB"', "24GB")}
[[replica]]
device = "c1t0d0s7"
count = 3
[[replica]]
device = "c1t1d0s7"
count = 3
[[stripe]]
name = "d21"
rows = [["c1t0d0s3"]]
[[stripe]]
name = "d22"
rows = [["c1t1d0s3"]]
[[mirror]]
name = "d20"
submirrors = ["d21", "d22"]
[[stripe]]
name = "d11"
rows = [["c1t0d0s0"]]
[[stripe]]
name = "d12"
rows = [["c1t1d0s0"]]
[[mirror]]
name = "d10"
submirrors = ["d11"]
[[filesystem]]
mount = "/export/home"
device = "/dev/md/dsk/d10"
size = "4GB"
files = 100
options = "logging"
[[setup]]
commands = ["metattach d10 d12"]
advance = "310s"
""",
}

SWAP = {"zeus": "/dev/md/dsk/d20"}


# the hosts whose / is not mirrored: a plain boot disk c0t0d0
PLAIN_ROOT = """
[[disk]]
name = "c0t0d0"
size = "36GB"
heads = 27
sectors = 107
slices = { "0" = "20GB", "1" = "4GB" }
devid = "id1,sd@SSEAGATE_ST336607LSUN36G_3JA6A1B200007401C0DE"

[[filesystem]]
mount = "/"
device = "/dev/dsk/c0t0d0s0"
size = "6GB"
files = 100
options = "logging"
"""


def main() -> int:
    for name, text in HOSTS.items():
        if name != "zeus":
            text += PLAIN_ROOT
        sc = parse_scenario(text, name, name)
        host = sc.build_host()
        out = HERE / name
        out.mkdir(exist_ok=True)
        files = {"metastat-p": "metastat -p", "metastat": "metastat", "metadb": "metadb",
                 "metahs-i": "metahs -i", "df-k": "df -k"}
        for fname, cmd in files.items():
            res = host.run(cmd)
            (out / fname).write_text(res.stdout + res.stderr)
        for d in sorted(host.disks):
            (out / f"prtvtoc.{d}").write_text(host.run(f"prtvtoc /dev/rdsk/{d}s2").stdout)
        u = uname(sc.host.release)
        (out / "uname-a").write_text(f"SunOS {sc.host.hostname} {u.release} {u.version} "
                                     f"{u.machine} {u.processor} {u.platform}\n")
        (out / "release").write_text(release_text(sc.host.release))
        vfstab = host.fs.vfstab_text()
        if name in SWAP:
            vfstab = vfstab.replace("/dev/dsk/c0t0d0s1\t-\t-\tswap",
                                    f"{SWAP[name]}\t-\t-\tswap")
        (out / "vfstab").write_text(vfstab)
        (out / "mnttab").write_text(host.fs.mnttab_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
