"""svcs(1): SMF service states (usr/src/cmd/svc/svcs/svcs.c).

Hand-written to match the default listing byte for byte: the header ``STATE          STIME
FMRI`` and per instance the state in 14 columns, the state time in 8 (svcs.c sprint_stime:
``%k:%M:%S`` within a day, ``%b_%d`` within twelve 30-day months, else ``%Y``, in the host's
time zone) and the FMRI, as svcs(1)'s examples show the columns (trailing blanks trimmed);
sorted by state (disabled before online) then state time then FMRI. ``-a`` lists the disabled
instances too, ``-H`` drops the header; operands select instances by FMRI, abbreviation
(``mdmonitor``, ``system/metasync``, the instance name) or fnmatch(5) pattern, and one that
matches nothing is ``svcs: Pattern '<arg>' doesn't match any instances`` (exit 1, the others
still listed). ``-x`` without operands explains nothing on a host whose enabled services are
all online. A bad option prints the Solaris 10 usage (svcs(1) SYNOPSIS), exit 2
(UU_EXIT_USAGE). Other options (-l -p -v -d -D -o -s -S -R, -x with operands) are not
simulated.

The instances (decided): a handful of base services every Solaris 10 host runs, and the SVM
ones from their manifests (lvm/util/metainit.xml and metasync.xml enabled by default,
md_monitord/mdmonitor.xml and rpc.metad/meta.xml enabled with the first replica, as
libmeta meta_smf.c svm_core_svcs; the diskset services metamed, metamh and mdcomm only with a
named set). Every state changed at boot (``host.fs.boot_time``), a second apart in the order
svc.startd brings them up.
"""

from __future__ import annotations

import time
from fnmatch import fnmatchcase

from simulator.core.coverage import Coverage
from simulator.core.invocation import Invocation
from simulator.core.libc import sun_getopt

NAME = "svcs"
USAGE = ("Usage: {0} [-aHpv] [-o col[,col ... ]] [-R restarter] [-sS col] [<service> ...]\n"
         "       {0} -d | -D [-Hpv] [-o col[,col ... ]] [-sS col] [<service> ...]\n"
         "       {0} -l <service> ...\n"
         "       {0} -x [-v] [<service> ...]\n"
         "       {0} -?\n")
UU_EXIT_FATAL, UU_EXIT_USAGE = 1, 2
DAY = 24 * 60 * 60
STATE_ORDER = {"legacy_run": 0, "disabled": 1, "offline": 2, "degraded": 3, "online": 4,
               "maintenance": 5, "uninitialized": 6}
BASE = ("svc:/system/svc/restarter:default", "svc:/network/loopback:default",
        "svc:/system/filesystem/root:default", "svc:/system/filesystem/usr:default",
        "svc:/system/filesystem/minimal:default", "svc:/system/metainit:default",
        "svc:/system/filesystem/local:default", "svc:/system/system-log:default",
        "svc:/system/cron:default", "svc:/system/fmd:default",
        "svc:/milestone/single-user:default", "svc:/system/metasync:default",
        "svc:/network/rpc/bind:default", "svc:/network/rpc/meta:default",
        "svc:/system/mdmonitor:default", "svc:/network/ssh:default",
        "svc:/network/smtp:sendmail", "svc:/milestone/multi-user:default",
        "svc:/milestone/multi-user-server:default", "svc:/network/rpc/metamed:default",
        "svc:/network/rpc/metamh:default", "svc:/network/rpc/mdcomm:default")
SVM_CORE = ("svc:/system/mdmonitor:default", "svc:/network/rpc/meta:default")
SVM_DISKSET = ("svc:/network/rpc/metamed:default", "svc:/network/rpc/metamh:default",
               "svc:/network/rpc/mdcomm:default")


COVERAGE = Coverage(
    source=("usr/src/cmd/svc/svcs/svcs.c", "usr/src/lib/lvm/libmeta/common/meta_smf.c"),
    getopt=("aHpvno:R:s:S:dDlLx?",),
    options=(
        "-a: also the disabled instances",
        "-H: no header",
        "-x: explains nothing (every enabled service is online)",
        "-?: the usage",
        "service: instances by FMRI, abbreviation or pattern",
    ),
    not_simulated=(
        "-p -v -n -o -R -s -S -d -D -l -L: 'svmsim: svcs -<c>: not simulated', exit 1",
        "-x with operands",
        "services in maintenance, degraded or offline",
    ),
    messages=(
        USAGE,
        "STATE          STIME    FMRI",
        "<prog>: Pattern '<arg>' doesn't match any instances",
        "svmsim: svcs <what>: not simulated",
    ),
)


def usage(inv: Invocation) -> int:
    inv.err(USAGE.format(inv.prog), end="")
    return UU_EXIT_USAGE


def instances(inv: Invocation) -> list[tuple[str, float, str]]:
    """(state, state time, FMRI) of every instance on this host."""
    vm = inv.host.md
    core = bool(vm.sets[""].replicas)
    disksets = any(name for name in vm.sets)
    out = []
    for n, fmri in enumerate(BASE):
        enabled = (core or fmri not in SVM_CORE) and (disksets or fmri not in SVM_DISKSET)
        out.append(("online" if enabled else "disabled", float(inv.host.fs.boot_time + n),
                    fmri))
    return out


def _stime(inv: Invocation, then: float) -> str:
    now = inv.host.clock.now
    tm = inv.host.clock.localtime(then)
    if now - then < DAY:
        return f"{tm.tm_hour:2d}:{time.strftime('%M:%S', tm)}"
    if now - then < 12 * 30 * DAY:
        return time.strftime("%b_%d", tm)
    return time.strftime("%Y", tm)


def _matches(pattern: str, fmri: str) -> bool:
    """scf_walk_fmri's matching of an operand against ``svc:/<service>:<instance>``."""
    path = fmri[len("svc:/"):]
    service, _, instance = path.rpartition(":")
    if any(ch in pattern for ch in "*?["):
        return fnmatchcase(fmri, pattern) or fnmatchcase(path, pattern)
    pattern = pattern[len("svc:/"):] if pattern.startswith("svc:/") else pattern
    forms = {path, service, instance}
    parts = service.split("/")
    for i in range(len(parts)):
        tail = "/".join(parts[i:])
        forms |= {tail, f"{tail}:{instance}"}
    return pattern in forms


def main(inv: Invocation) -> int:
    opts, rest = sun_getopt(inv, inv.args, "aHpvno:R:s:S:dDlLx?", stop_at_error=True)
    flags = set()
    for o in opts:
        if o.char == "?" and o.optopt != "?":
            return usage(inv)
        flags.add(o.char)
    unsupported = sorted(flags - set("aHx"))
    if unsupported or ("x" in flags and rest):
        what = f"-{unsupported[0]}" if unsupported else "-x <service>"
        inv.err(f"svmsim: svcs {what}: not simulated")
        return 1
    listed = instances(inv)
    if "x" in flags:
        return 0
    code = 0
    if rest:
        chosen = []
        for arg in rest:
            found = [i for i in listed if _matches(arg, i[2])]
            if not found:
                inv.err(f"{inv.prog}: Pattern '{arg}' doesn't match any instances")
                code = UU_EXIT_FATAL
            chosen += [i for i in found if i not in chosen]
        listed = chosen
    elif "a" not in flags:
        listed = [i for i in listed if i[0] != "disabled"]
    listed.sort(key=lambda i: (STATE_ORDER.get(i[0], 7), i[1], i[2]))
    if "H" not in flags and (listed or not rest):
        inv.out("STATE          STIME    FMRI")
    for state, when, fmri in listed:
        inv.out(f"{state:<14s} {_stime(inv, when):<8s} {fmri}")
    return code
