"""eeprom(1M): OpenBoot PROM variables of a SPARC host (usr/src/cmd/eeprom/common/openprom.c).

Hand-written to match openprom.c byte for byte: no operand prints every variable
(dump_all), ``NAME`` prints ``NAME=value`` or ``NAME: data not available.`` (print_one, on
stdout, exit 0), ``NAME=value`` sets it (set_one; a name the PROM does not have is
``NAME: invalid property.``), ``-`` reads ``NAME[=value]`` lines from stdin, ``-v`` shows
``old:``/``new:``. /dev/openprom is readable by root only: another caller gets
``eeprom: cannot open /dev/openprom: Permission denied`` (promopen, _error with perror), exit 1,
as does ``-f`` naming a device that is not there. A bad option is getopt's message then
``Usage: <argv0> [-v] [-f prom-device] [variable[=value] ...]`` (progname not yet set), exit 1.

The variables (decided): those of a Sun Fire V240's OpenBoot 4.x in its NVRAM order, at their
defaults, except on a host whose root file system is mirrored, where the admin has done what
the Solaris Volume Manager Administration Guide asks after mirroring root: a ``rootmirror``
device alias for the second submirror's disk in ``nvramrc`` (``devalias rootmirror
<path>:<slice>``, one ``rootmirrorN`` per further submirror), ``use-nvramrc?=true`` and
``boot-device=disk rootmirror``. Values set with eeprom are kept per host
(``host.sunos``, saved with the host: :mod:`simulator.sunos.state`) and win over both.
"""

from __future__ import annotations

from simulator.core.coverage import Coverage
from simulator.core.invocation import Invocation
from simulator.core.libc import sun_getopt
from simulator.core.names import split_slice
from simulator.core.strerror import strerror
from simulator.sunos.disks import physical_path, root_mirror, slice_letter

NAME = "eeprom"
PROMDEV = "/dev/openprom"
MAXVALSIZE = 8192 - 128 - 4           # MAXVALSIZE: 8192 - MAXPROPSIZE - sizeof (uint_t)
MAXNAMESIZE = 128
# (name, default value or None for "data not available")
PROPERTIES: tuple[tuple[str, str | None], ...] = (
    ("test-args", None), ("diag-passes", "1"), ("local-mac-address?", "true"),
    ("fcode-debug?", "false"), ("silent-mode?", "false"), ("scsi-initiator-id", "7"),
    ("oem-logo", None), ("oem-logo?", "false"), ("oem-banner", None),
    ("oem-banner?", "false"), ("ansi-terminal?", "true"), ("screen-#columns", "80"),
    ("screen-#rows", "34"), ("ttyb-rts-dtr-off", "false"), ("ttyb-ignore-cd", "true"),
    ("ttya-rts-dtr-off", "false"), ("ttya-ignore-cd", "true"),
    ("ttyb-mode", "9600,8,n,1,-"), ("ttya-mode", "9600,8,n,1,-"),
    ("output-device", "ttya"), ("input-device", "ttya"), ("auto-boot-on-error?", "false"),
    ("load-base", "16384"), ("auto-boot?", "true"), ("boot-command", "boot"),
    ("diag-file", None), ("diag-device", "net"), ("boot-file", None),
    ("boot-device", "disk net"), ("use-nvramrc?", "false"), ("nvramrc", None),
    ("security-mode", "none"), ("security-#badlogins", "0"), ("diag-out-console", "false"),
    ("diag-level", "min"), ("diag-switch?", "false"), ("error-reset-recovery", "boot"),
)


COVERAGE = Coverage(
    source=("usr/src/cmd/eeprom/common/openprom.c",),
    getopt=("cif:v",),
    options=(
        "-v: show old and new values of a variable set",
        "-f prom-device: only /dev/openprom exists",
        "variable: print it",
        "variable=value: set it (kept with the host)",
        "-: NAME[=value] lines from standard input",
    ),
    not_simulated=(
        "-c and -i: accepted, with no effect",
        "x86 (the PROM is a Sun Fire V240's OpenBoot)",
    ),
    messages=(
        "Usage: <argv0> [-v] [-f prom-device] [variable[=value] ...]",
        "<prog>: cannot open <dev>: <strerror>",
        "<name>: data not available.",
        "<name>: invalid property.",
        "<name>: invalid property value.",
    ),
)


def usage(inv: Invocation) -> int:
    argv0 = inv.argv[0] if inv.argv else NAME
    inv.err(f"Usage: {argv0} [-v] [-f prom-device] [variable[=value] ...]")
    return 1


def values(inv: Invocation) -> dict[str, str | None]:
    """Every PROM variable of this host and its value (None: data not available)."""
    vals: dict[str, str | None] = dict(PROPERTIES)
    mirrored = root_mirror(inv.host)
    if mirrored is not None and len(mirrored[1]) > 1:
        aliases = []
        for n, comp in enumerate(mirrored[1][1:]):
            parsed = split_slice(comp)
            if parsed is None:
                continue
            alias = "rootmirror" if n == 0 else f"rootmirror{n + 1}"
            aliases.append(f"devalias {alias} "
                           f"{physical_path(parsed[0], prom=True)}:{slice_letter(parsed[1])}")
        if aliases:
            vals["nvramrc"] = "\n".join(aliases)
            vals["use-nvramrc?"] = "true"
            vals["boot-device"] = "disk rootmirror"
    vals.update(inv.host.sunos.eeprom)
    return vals


def _print_one(inv: Invocation, name: str) -> None:
    value = values(inv).get(name)
    if value is None:
        inv.out(f"{name}: data not available.")
    else:
        inv.out(f"{name}={value}")


def _set_one(inv: Invocation, name: str, value: str, verbose: bool) -> None:
    if verbose:
        inv.out("old:", end="")
        _print_one(inv, name)
    if len(name) + 1 > MAXNAMESIZE or name not in values(inv):
        inv.out(f"{name}: invalid property.")
    elif len(value) >= MAXVALSIZE:
        inv.out(f"{name}: invalid property value.")
    else:
        inv.host.sunos.eeprom[name] = value
    if verbose:
        inv.out("new:", end="")
        _print_one(inv, name)


def _do_var(inv: Invocation, var: str, verbose: bool) -> None:
    name, eq, value = var.partition("=")
    if eq:
        _set_one(inv, name, value, verbose)
    else:
        _print_one(inv, var)


def main(inv: Invocation) -> int:
    opts, rest = sun_getopt(inv, inv.args, "cif:v", stop_at_error=True)
    verbose = False
    promdev = PROMDEV
    for o in opts:
        if o.char == "?":
            return usage(inv)
        if o.char == "v":
            verbose = True
        elif o.char == "f":
            promdev = o.arg or ""
    if promdev != PROMDEV:
        inv.err(f"{inv.prog}: cannot open {promdev}: {strerror('ENOENT')}")
        return 1
    if inv.uid != 0:
        inv.err(f"{inv.prog}: cannot open {promdev}: {strerror('EACCES')}")
        return 1
    if not rest:
        for name in values(inv):
            _print_one(inv, name)
        return 0
    for arg in rest:
        if arg == "-":
            for line in inv.stdin_lines():
                _do_var(inv, line, verbose)
        else:
            _do_var(inv, arg, verbose)
    return 0
