"""The seed procedure (Admin Guide Example 11-23) as a Python driver run as a process.

usage: python3 seed.py DUMPFILE
"""

import re
import subprocess
import sys


def run(*argv: str) -> None:
    code = subprocess.call(argv)
    if code != 0:
        sys.exit(f"seed.py: {' '.join(argv)} failed (exit {code})")


def main() -> int:
    dump = sys.argv[1]
    stat = subprocess.run(["/usr/sbin/metastat", "d1"], capture_output=True, text=True,
                          check=True).stdout
    if any(s != "Okay" for s in re.findall(r"State: (\S+)", stat)):
        print("seed.py: d1 not Okay", file=sys.stderr)
        return 2
    run("/usr/sbin/lockfs", "-w", "/home1")
    run("/usr/sbin/metadetach", "d1", "d3")
    run("/usr/sbin/lockfs", "-u", "/home1")
    run("/usr/sbin/fsck", "-y", "/dev/md/rdsk/d3")
    run("/usr/sbin/ufsdump", "0ucf", dump, "/dev/md/rdsk/d3")
    run("/usr/sbin/metattach", "d1", "d3")
    print("seed.py: done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
