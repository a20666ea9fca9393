"""The scenario file format, version 1, once: typed tables, and their one-line errors.

Every table and key of a scenario file is a field of a table class below
(:mod:`simulator.core.table`: plain classes and their checks, not pydantic, whose import
and validator build cost every run ~0.13 s; that module says why not msgspec either), so a
typo anywhere (an unknown key, a wrong type, a value out of range, an ``[expect]`` key the
harness does not know) fails when the file is loaded, not when it is run.
:func:`validate_document` turns the first problem into this package's one message per file,
``FILE: key.path: problem``, with a
"did you mean" for unknown keys (difflib), e.g. ``scenarios/x.toml: mirror[0].read: must be
one of roundrobin, geometric, first (got 'fast')``.

Schema (sizes: ``"36GB"``, ``"512k"``, ``"32b"`` or a number of 512-byte blocks; durations:
``"30s"``, ``"5m"``, ``"1h30m"`` or seconds; rates: ``"20MB/s"`` or blocks/s)::

    [scenario]     name (default: file stem), description (one line, shown by
                   `svmsim scenarios`), version = 1
    [host]         hostname = "sunhost", timezone = "UTC", start (ISO-8601 string or TOML
                   date-time; a time without offset is in `timezone`), resync_rate = "20MB/s",
                   release = "5.10" | "5.9" | "5.11" | "illumos" (uname, /etc/release,
                   DiskSuite paths and what else differs by release: simulator.sunos.release)
    [[disk]]       name = "c1t0d0", size = "36GB", failed = false (every I/O to it fails),
                   [disk.slices] "0" = "34GB", "7" = "32MB" (placed in slice order; s2 is the
                   whole disk); without slices: s0 = all but s7, s7 = small (Host.add_disk);
                   cylinder = 20352 (blocks per cylinder) or heads = 24, sectors = 848 (then
                   cylinder = heads * sectors; default 24 x 424): the label format/prtvtoc
                   show and the cylinder metainit skips on a slice holding the label;
                   devid = "id1,sd@SSEAGATE_ST336607LSUN36G_3JA6..." (the device ID metastat's
                   Device Relocation Information prints; default: a SEAGATE SUN72G's);
                   starts = { "0" = 0, "1" = 33554432 } (first sector of a slice, as
                   prtvtoc prints it; default: placed in slice order)
    [[replica]]    device = "c0t0d0s7", count = 1, length = 8192   (metadb -a -f -c -l),
                   flags = ["a m  p  luo", ...] (each replica's metadb flags; default:
                   read at boot)
    [[hsp]]        name = "hsp001", spares = ["c3t0d0s0"]
    [[stripe]]     name = "d2", rows = [["c1t0d0s0"]] (each row a list of components, slices
                   or metadevices; a concat is several one-component rows), interlace = "32k",
                   hsp = "hsp001"
    [[mirror]]     name = "d1", submirrors = ["d2", "d3"], pass = 1, read = "roundrobin" |
                   "geometric" | "first", write = "parallel" | "serial"  (created Okay, as
                   `metainit d1 -m d2 d3`)
    [[softpart]]   name = "d80", component = "d70" | "c1t3d0s6", size = "1GB",
                   extents = [[1, 2097152]] (offset, blocks: metastat -p's -o/-b; default:
                   metainit's first fit)
    [[filesystem]] mount = "/home1", device = "/dev/md/dsk/d1", fstype = "ufs",
                   size = "20GB" (data in use), files = 2000, seed = 1, logging = true,
                   mounted = true, in_vfstab = true, options = "" (mount options; "" = none)
    [filesystem.workload]  writes_per_second = 5.0, creates_per_second = 0.0,
                   deletes_per_second = 0.0, write_size = "8k", paths = ["**"] (globs of the
                   files written, relative to the mount point)
    [[tape]]       device = "/dev/rmt/0", capacity = "20GB" (per cartridge), rate = "40MB/s"
                   (streaming speed), cartridges = 1 (volumes the operator has at hand)
    [setup]        commands = ["metattach d1 d5"] (each must exit 0), io_errors = ["c2t0d0s0"]
                   (an I/O error on each slice: components go to Maintenance / Last Erred,
                   replicas on it get write errors), advance = "30s" (virtual time passes).
                   Applied in that order. `[[setup]]` (an array) applies several steps in turn.
    [expect]       what the harness's verdict requires (Expect; session/outcomes.py):
                   outcome = ["backed-up"] (acceptable outcomes), max_lock_seconds = 30,
                   may_stay_detached = ["d3"], min_okay_submirrors = 1; kept from the first
                   format: driver_exit = "zero" | "nonzero" | N, backup = true | false,
                   hang = false
    [[fault]]      kind, target, trigger (start, before:PROG[#N], after:PROG[#N], time:D,
                   ufsdump|resync|fsck:P%, io:N, p:PROB), duration (transient), and the
                   kind's parameters by name (simulator.faults: the one Fault schema);
                   armed on the built host, after [[setup]]
    [reference_driver]  args = ["-f", "/dev/rmt/0", "d1", "d3", "/home1"]: how the shipped
                   drivers/svm-online-backup.sh is called on this host (tests run it so)

Metadevices and hot spare pools live in the local set (no disksets in scenarios yet).

Order: the units are created in the scenario's order ([[stripe]], then [[softpart]], then
[[mirror]] tables, each in file order; a unit whose parts are not made yet waits for them), and
``metastat`` lists units in creation order, newest first (the md driver keeps its unit list
newest first and libmeta walks it), so the order of the tables decides the order of a
``metastat`` report, as the order of metainit commands does on a real host.

Editors: the models' JSON Schema is shipped as ``simulator/scenario/scenario.schema.json``
(regenerate it with ``python -m simulator.scenario > simulator/scenario/scenario.schema.json``;
a test fails when it is stale). Point a TOML editor (taplo, Even Better TOML) at it with a
first line ``#:schema ./path/to/scenario.schema.json``, or with a top-level key
``"$schema" = "./path/to/scenario.schema.json"`` (accepted, and otherwise ignored here).

Device names follow ``simulator.core.names`` (the one Solaris device grammar); the limits
(unit numbers, submirrors, interlace, replicas) are the model's own constants.

Input bounds (a scenario is input from anyone; what the model can handle in reasonable time
and represent, decided here since the sources set no such limits):

- sizes at most ``MAX_BLOCKS`` (off_t), durations at most ``MAX_SECONDS`` and rates at most
  ``MAX_BLOCKS`` per second (``simulator.core.units``, which says why); a rate is at least
  one block per second (slower, a resync of one disk outlasts a 32-bit clock);
- ``start`` from 1970-01-01T00:00:00Z to 2038-01-19T03:14:07Z, and the setup's ``advance``
  steps do not take the clock past it: UFS inode times and ufsdump's dates are ``time32_t``
  (ufs_inode.h, dumprestore.h), so no later date can be on the host's file systems;
- ``files`` at most :data:`MAX_FILES` per file system: the model draws every file's entry
  the first time a command walks the file system (``df``, ``fsck``, ``ufsdump``), about
  7 microseconds each, so a million files costs some seconds once per process, and ten
  million a minute (``svmsim exec`` is one process per command);
- a workload makes at most :data:`MAX_OPS_PER_SECOND` operations of each kind per virtual
  second: the last minute of every stretch of time is replayed whole (the writes still in
  memory), so the rate bounds what any command costs;
- ``seed`` from 0 to 2**63 - 1;
- a file is at most ``MAX_SCENARIO_BYTES`` and its arrays and tables nest at most
  ``MAX_DEPTH`` deep (the format needs 4: ``[[stripe]]`` is an array of tables, and its
  ``rows = [["c1t0d0s0"]]`` two more arrays);
  ``catalog.py`` checks those before anything else.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any, Literal, get_args

from simulator.core.clock import DEFAULT_START
from simulator.core.clock import zone as _zone
from simulator.core.errors import Error
from simulator.core.names import (
    DISK_RE,
    HOSTNAME_RE,
    HSP_RE,
    LOCAL_HSP_RE,
    LOCAL_UNIT_RE,
    MD_DEVICE_RE,
    SLICE_DEVICE_RE,
    SLICE_RE,
    TAPE_RE,
    is_raw,
    raw_device,
    short_name,
)
from simulator.core.table import (
    BOOL,
    FLOAT,
    INT,
    STR,
    Invalid,
    Table,
    Type,
    after,
    before,
    fail,
    field,
    list_of,
    literal,
    optional,
    table,
    with_schema,
)
from simulator.core.units import MAX_BLOCKS, MAX_SECONDS, parse_duration, parse_rate, parse_size
from simulator.faults.spec import Fault
from simulator.lvm.errors import MDDB_NLB
from simulator.lvm.libmeta.release import DEFAULT_RELEASE, RELEASES, Release
from simulator.lvm.md.create import MAX_INTERLACE, MIN_INTERLACE
from simulator.lvm.md.records import (
    MAX_SUBMIRRORS,
    MAX_UNITS,
    READ_OPTIONS,
    WRITE_OPTIONS,
    ReadOption,
    WriteOption,
)
from simulator.lvm.md.replicas import DEFAULT_LENGTH
from simulator.lvm.md.replicas import FLAGS_STRING as REPLICA_FLAGS

if TYPE_CHECKING:
    from simulator.host import Host

SCHEMA_VERSION = 1
_HOSTNAME_RE = HOSTNAME_RE
FsType = Literal["ufs"]
FSTYPES: tuple[str, ...] = get_args(FsType)
TOP_KEYS = ("scenario", "host", "disk", "replica", "hsp", "stripe", "mirror", "softpart",
            "filesystem", "tape", "database", "setup", "fault", "expect", "reference_driver")
_SCHEMA_KEY = "$schema"
MAX_CYLINDER = 255 * 65535          # dk_geom: at most 255 heads of 65535 sectors
MAX_TIME = 2**31 - 1                # time32_t: the last second UFS and ufsdump can record
MAX_FILES = 1_000_000               # files per file system (see "Input bounds" above)
MAX_OPS_PER_SECOND = 1000.0         # workload operations of each kind per virtual second
MAX_SEED = 2**63 - 1
MAX_SCENARIO_BYTES = 4 << 20        # a scenario file (the shipped ones are < 2 KB)
MAX_DEPTH = 8                       # arrays and tables inside each other
# devid_str_encode (libdevid devid.c): "id1," driver "@" type character and the id's bytes
_DEVID_RE = re.compile(r"^id1,[A-Za-z0-9_.-]+@[A-Za-z][!-~]*$")


class ScenarioError(Error, ValueError):
    """A scenario that cannot be read, is invalid, or cannot be built (one-line message)."""


# ---------------------------------------------------------------------------- value checks
_fail = fail


def kind(v: object) -> str:
    """How a TOML value is named in messages: ``a string``, ``an array``, ``a table``."""
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "an array", dict: "a table"}.get(type(v), type(v).__name__)


def local_unit(name: str) -> bool:
    """``d10`` (a metadevice of the local set, without a path or set prefix): the
    grammar's UNIT_RE without its set, LOCAL_UNIT_RE."""
    return LOCAL_UNIT_RE.match(name) is not None


def local_hsp(name: str) -> bool:
    """``hsp001`` (a hot spare pool of the local set)."""
    m = HSP_RE.match(name)
    return m is not None and m.group("set") is None


def slice_operand(name: str) -> str | None:
    """``c1t0d0s0`` or ``/dev/[r]dsk/c1t0d0s0`` -> ``c1t0d0s0``; None for anything else."""
    m = SLICE_DEVICE_RE.match(name)
    if m:
        return m.group("slice")
    return name if SLICE_RE.match(name) else None


def _size(minimum: int) -> Callable[[object], int]:
    def check(v: object) -> int:
        try:
            blocks = parse_size(v)
        except ValueError as e:
            raise _fail(str(e)) from None
        if blocks < minimum:
            raise _fail(f"must be at least {minimum} block{'s' if minimum != 1 else ''} "
                        f"(got {v!r})")
        return blocks
    return check


def _duration(v: object) -> float:
    try:
        return parse_duration(v)
    except ValueError as e:
        raise _fail(str(e)) from None


def _rate(v: object) -> float:
    try:
        rate = parse_rate(v)
    except ValueError as e:
        raise _fail(str(e)) from None
    if rate <= 0:
        raise _fail(f"must be more than 0 (got {v!r})")
    if rate < 1:
        raise _fail(f"must be at least 1 block per second (got {v!r})")
    return rate


def _int_range(lo: int, hi: int | None = None) -> Callable[[int], int]:
    def check(v: int) -> int:
        if v < lo or (hi is not None and v > hi):
            rng = f"from {lo} to {hi}" if hi is not None else f"at least {lo}"
            raise _fail(f"must be {rng} (got {v})")
        return v
    return check


def _optional_range(lo: int, hi: int) -> Callable[[int | None], int | None]:
    check = _int_range(lo, hi)
    return lambda v: v if v is None else check(v)


def _devid(v: str | None) -> str | None:
    if v is not None and not _DEVID_RE.match(v):
        raise _fail(f"not a device ID like id1,sd@SSEAGATE_ST336607LSUN36G_3JA6... (got {v!r})")
    return v


def _number(v: object) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or v < 0:
        raise _fail(f"must be a number >= 0 (got {v!r})")
    if v > MAX_OPS_PER_SECOND:
        raise _fail(f"must be at most {MAX_OPS_PER_SECOND:g} operations per second "
                    f"(got {v!r})")
    return float(v)


def _matches(ok: Callable[[str], object], what: str) -> Callable[[str], str]:
    def check(v: str) -> str:
        if not ok(v):
            raise _fail(f"not {what} (got {v!r})")
        return v
    return check


def _slice(what: str) -> Callable[[str], str]:
    def check(v: str) -> str:
        name = slice_operand(v)
        if name is None:
            raise _fail(f"not {what} (got {v!r})")
        return name
    return check


def _unit_name(v: str) -> str:
    if not local_unit(v):
        raise _fail(f"not a metadevice name like d10 (got {v!r})")
    if int(v[1:]) >= MAX_UNITS:
        raise _fail(f"metadevice numbers go from d0 to d{MAX_UNITS - 1} (got {v!r})")
    return v


def _str_list(nonempty: bool = False) -> Callable[[object], object]:
    def check(v: object) -> object:
        if not isinstance(v, list):
            raise _fail(f"must be a list of strings (got {kind(v)})")
        if nonempty and not v:
            raise _fail("must not be empty")
        return v
    return check


def _one_line(v: str) -> str:
    if "\n" in v:
        raise _fail("must be one line")
    return v


def _timezone(v: str) -> str:
    try:
        _zone(v)
    except (ValueError, LookupError, OSError):
        raise _fail(f"unknown time zone {v!r}") from None
    return v


def _operand(v: str) -> str | None:
    """A component: a slice (``/dev/[r]dsk/`` path or not) or a local metadevice."""
    return slice_operand(v) or (v if local_unit(v) else None)


def _component(v: str) -> str:
    name = _operand(v)
    if name is None:
        raise _fail(f"not a slice or metadevice (got {v!r})")
    return name


def _softpart_component(v: str) -> str:
    name = _operand(v)
    if name is None:
        raise _fail(f"not a slice or metadevice (got {short_name(v)!r})")
    return name


def _interlace(v: int | None) -> int | None:
    if v is not None and not MIN_INTERLACE <= v <= MAX_INTERLACE:
        raise _fail("must be from 16 blocks (8k) to 100MB")
    return v


def _submirrors(v: list[str]) -> list[str]:
    if len(v) > MAX_SUBMIRRORS:
        raise _fail(f"a mirror has at most {MAX_SUBMIRRORS} submirrors (got {len(v)})")
    if len(set(v)) != len(v):
        raise _fail("names a submirror twice")
    return v


def _mount(v: str) -> str:
    if not re.match(r"^/\S*$", v):
        raise _fail(f"not an absolute path (got {v!r})")
    if v != "/" and v.endswith("/"):
        raise _fail(f"must not end with '/' (got {v!r})")
    return v


def _block_device(v: str) -> str:
    if not (MD_DEVICE_RE.match(v) or SLICE_DEVICE_RE.match(v)):
        raise _fail(f"must be a block device like /dev/md/dsk/d1 or /dev/dsk/c0t0d0s0 "
                    f"(got {v!r})")
    if is_raw(v):
        raise _fail(f"must be the block device, not the raw one (got {v!r})")
    return v


def _command(v: str) -> str:
    if not v.strip():
        raise _fail("empty command")
    return v


def _int_schema(lo: int, hi: int | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer", "minimum": lo}
    if hi is not None:
        schema["maximum"] = hi
    return schema


def _string_schema(description: str, rx: re.Pattern[str] | None = None) -> dict[str, Any]:
    """A string's JSON Schema; ``rx`` as ECMA-262 writes it (``(?<name>``, not ``(?P<name>``)."""
    schema: dict[str, Any] = {"type": "string", "description": description}
    if rx is not None:
        schema["pattern"] = rx.pattern.replace("(?P<", "(?<")
    return schema


# ---------------------------------------------------------------------------- field types
def _int(lo: int, hi: int | None = None) -> Type:
    """An integer from ``lo`` to ``hi``."""
    return with_schema(after(INT, _int_range(lo, hi)), _int_schema(lo, hi))


def _str(description: str, rx: re.Pattern[str] | None, *checks: Callable[[str], str]) -> Type:
    """A string, checked by ``checks`` (each may give the value to keep)."""
    return with_schema(after(STR, *checks), _string_schema(description, rx))


def _checked(schema: dict[str, Any]) -> Type:
    """A value its field's ``prepare`` has checked and made already."""
    return Type(lambda v: v, lambda defs: dict(schema))


_SIZE_JSON = {"anyOf": [{"type": "integer", "minimum": 0, "maximum": MAX_BLOCKS},
                        {"type": "string"}],
              "description": "a size: \"36GB\", \"512k\", \"32b\" or 512-byte blocks"}
Size = with_schema(before(_size(0), INT), _SIZE_JSON)
PositiveSize = with_schema(before(_size(1), INT), _SIZE_JSON)
Duration = with_schema(before(_duration, FLOAT), {
    "anyOf": [{"type": "number", "minimum": 0, "maximum": MAX_SECONDS}, {"type": "string"}],
    "description": "a duration: \"30s\", \"5m\", \"1h30m\" or seconds"})
Rate = with_schema(before(_rate, FLOAT), {
    "anyOf": [{"type": "number", "minimum": 1, "maximum": MAX_BLOCKS}, {"type": "string"}],
    "description": "a rate: \"20MB/s\" or 512-byte blocks per second"})
PerSecond = with_schema(before(_number, FLOAT),
                        {"type": "number", "minimum": 0, "maximum": MAX_OPS_PER_SECOND})
Count = _int(0)
FileCount = _int(0, MAX_FILES)
Seed = _int(0, MAX_SEED)
UnitName = _str("a metadevice name like d10", LOCAL_UNIT_RE, _unit_name)
PoolName = _str("a hot spare pool name like hsp001", LOCAL_HSP_RE,
                _matches(local_hsp, "a pool name like hsp001"))
Component = _str("a slice (c1t0d0s0) or a metadevice (d10)", None, _component)
UnitList = before(_str_list(nonempty=True), list_of(UnitName))
StrList = before(_str_list(), list_of(STR))


def _slices_of(what: str) -> Type:
    """A list of slices (``/dev/dsk/`` paths allowed, kept as ``c1t0d0s0``)."""
    return before(_str_list(), list_of(_str(what, None, _slice(what))))


# ---------------------------------------------------------------------------- models
class Spec(Table):
    """A table of a scenario file: unknown keys are errors, types are not coerced
    (:mod:`simulator.core.table`)."""


class ScenarioMeta(Spec):
    """``[scenario]``: name, one-line description, format version."""

    name: str | None = field(optional(STR), None)
    description: str = field(after(STR, _one_line), "")
    version: int = field(_int(SCHEMA_VERSION, SCHEMA_VERSION), SCHEMA_VERSION)


def _start(v: object, earlier: dict[str, Any]) -> object:
    """``[host] start``: an ISO-8601 string or a TOML date-time (without an offset: in the
    host's ``timezone``) or epoch seconds, as epoch seconds."""
    if v is None:
        return v
    if isinstance(v, bool):
        raise _fail("must be an ISO-8601 date-time (got a boolean)")
    if isinstance(v, int | float):
        return _epoch(v)
    if isinstance(v, str):
        try:
            v = datetime.fromisoformat(v)
        except ValueError:
            raise _fail(f"not an ISO-8601 date-time (got {v!r}, expected e.g. "
                        "'2026-11-24T10:00:00Z')") from None
    if isinstance(v, date) and not isinstance(v, datetime):
        v = datetime.combine(v, time())
    if not isinstance(v, datetime):
        raise _fail(f"must be an ISO-8601 date-time (got {kind(v)})")
    if v.tzinfo is None:
        try:
            v = v.replace(tzinfo=_zone(str(earlier.get("timezone", "UTC"))))
        except (ValueError, LookupError, OSError):
            v = v.replace(tzinfo=UTC)      # the time zone's own error is reported
    try:
        stamp = v.timestamp()
    except (OverflowError, ValueError, OSError):
        stamp = -1.0
    return _epoch(stamp, v.isoformat())


class HostSpec(Spec):
    """``[host]``: identity, release, clock and resync speed."""

    hostname: str = field(_str("the host name", _HOSTNAME_RE,
                               _matches(_HOSTNAME_RE.match, "a host name")), "sunhost")
    timezone: str = field(_str("an IANA time zone, e.g. Europe/Berlin", None, _timezone), "UTC")
    # epoch seconds; None: the clock's default
    start: float | None = field(with_schema(optional(FLOAT), {
        "anyOf": [{"type": "string", "format": "date-time"},
                  {"type": "number", "minimum": 0, "maximum": MAX_TIME}],
        "description": "ISO-8601 date-time (in `timezone` without an offset) or epoch "
                       "seconds"}), None, prepare=_start)
    resync_rate: float | None = field(optional(Rate), None)  # blocks/s; None: the default
    release: Release = field(literal(RELEASES), DEFAULT_RELEASE, description=(
        "the release the host runs: uname -r/-v, /etc/release, whether /usr/opt/SUNWmd "
        "exists (5.9 only) and what else differs by release"))
    boot_script: str = field(after(STR, _one_line), "", description=(
        "a command the front runs after the host reboots from an injected panic or "
        "reboot, as an rc script would (empty: none)"))


def _epoch(v: float, shown: str | None = None) -> float:
    """Epoch seconds within what the host's file systems can record (time32_t)."""
    if not math.isfinite(v) or not 0 <= v <= MAX_TIME:
        raise _fail(f"must be from 1970-01-01T00:00:00Z to 2038-01-19T03:14:07Z (epoch 0 to "
                    f"{MAX_TIME}: UFS and ufsdump keep 32-bit times) (got "
                    f"{shown if shown is not None else repr(v)})")
    return float(v)


def _starts(v: object, earlier: dict[str, Any]) -> object:
    if v is None:
        return v
    if not isinstance(v, dict) or not v:
        raise _fail(f"must be a table of slice = first sector (got {kind(v)})")
    out: dict[int, int] = {}
    for key, value in v.items():
        if str(key) not in {str(i) for i in range(8)}:
            raise _fail("slice numbers are 0 to 7", at=str(key))
        if isinstance(value, bool) or not isinstance(value, int) or \
                not 0 <= value <= MAX_BLOCKS:
            raise _fail(f"must be a sector number >= 0 (got {value!r})", at=str(key))
        out[int(key)] = value
    return out


def _slices(v: object, earlier: dict[str, Any]) -> object:
    if v is None:
        return v
    if not isinstance(v, dict):
        raise _fail(f"must be a table (got {kind(v)})")
    disk = earlier.get("size")
    slices: dict[int, int] = {}
    for key, value in v.items():
        if str(key) not in {str(i) for i in range(8)}:
            raise _fail("slice numbers are 0 to 7", at=str(key))
        try:
            size = _size(1)(value)
        except Invalid as e:
            raise _fail(e.msg, at=str(key)) from None
        if disk is not None and size > disk:
            raise _fail("slice is larger than the disk", at=str(key))
        slices[int(key)] = size
    if not slices:
        raise _fail("must name at least one slice")
    used = sum(sz for num, sz in slices.items() if num != 2)
    if disk is not None and used > disk:
        raise _fail(f"slices add up to {used} blocks, more than the disk's {disk}")
    return slices


class DiskSpec(Spec):
    """``[[disk]]``: a disk, optionally its slice layout (slice -> blocks), its geometry
    (``cylinder`` blocks, or ``heads`` x ``sectors``) and its device ID."""

    name: str = field(_str("a disk like c1t0d0", DISK_RE,
                           _matches(DISK_RE.match, "a disk name like c1t0d0")))
    size: int = field(PositiveSize)
    slices: dict[int, int] | None = field(_checked(
        {"type": "object", "propertyNames": {"pattern": "^[0-7]$"},
         "additionalProperties": _SIZE_JSON, "minProperties": 1}), None, prepare=_slices)
    failed: bool = field(BOOL, False)
    cylinder: int | None = field(with_schema(
        after(optional(INT), _optional_range(1, MAX_CYLINDER)), _int_schema(1, MAX_CYLINDER)),
        None, description="blocks per cylinder (nhead * nsect), e.g. 20352")
    heads: int | None = field(with_schema(
        after(optional(INT), _optional_range(1, 255)), _int_schema(1, 255)),
        None, description="tracks per cylinder; with sectors, instead of cylinder")
    sectors: int | None = field(with_schema(
        after(optional(INT), _optional_range(1, 65535)), _int_schema(1, 65535)),
        None, description="sectors per track; with heads, instead of cylinder")
    devid: str | None = field(with_schema(after(optional(STR), _devid), _string_schema(
        "a device ID as devid_str_encode writes it, e.g. "
        "id1,sd@SSEAGATE_ST336607LSUN36G_3JA6... or id1,sd@n500000e013633ce0",
        _DEVID_RE)), None)
    starts: dict[int, int] | None = field(_checked(
        {"type": "object", "propertyNames": {"pattern": "^[0-7]$"},
         "additionalProperties": {"type": "integer", "minimum": 0, "maximum": MAX_BLOCKS},
         "minProperties": 1}), None, prepare=_starts, description=(
             "first sector of each slice as prtvtoc prints it (slice -> sector); slices "
             "not named are placed in slice order"))

    def check(self) -> None:
        """The geometry is given one way, fits the disk; ``starts`` name slices that fit."""
        if self.cylinder is not None and (self.heads is not None or self.sectors is not None):
            raise _fail("give cylinder or heads and sectors, not both", at="cylinder")
        if (self.heads is None) != (self.sectors is None):
            raise _fail("heads and sectors go together (or give cylinder)",
                        at="sectors" if self.sectors is None else "heads")
        if self.cyl_blocks is not None and self.cyl_blocks > self.size:
            raise _fail(f"a cylinder of {self.cyl_blocks} blocks is larger than the disk "
                        f"({self.size} blocks)", at="cylinder" if self.cylinder else "heads")
        for num, first in (self.starts or {}).items():
            if self.slices is None or num not in self.slices:
                raise _fail("names a slice not in slices", at=f"starts.{num}")
            if first + self.slices[num] > self.size:
                raise _fail(f"slice {num} ends past the disk ({first} + {self.slices[num]} "
                            f"> {self.size} blocks)", at=f"starts.{num}")

    @property
    def cyl_blocks(self) -> int | None:
        """Blocks per cylinder the scenario gives, None for the default geometry."""
        if self.cylinder is not None:
            return self.cylinder
        if self.heads is not None and self.sectors is not None:
            return self.heads * self.sectors
        return None


def _replica_flags(v: str) -> str:
    """metadb's flag letters (metadb.c MDDB_FLAGS_STRING), blanks aside."""
    letters = v.replace(" ", "")
    bad = sorted(set(letters) - set(REPLICA_FLAGS.replace(" ", "")))
    if bad:
        raise _fail(f"{''.join(bad)!r}: not a metadb flag (known: "
                    f"{REPLICA_FLAGS.replace(' ', '')})")
    if len(set(letters)) != len(letters):
        raise _fail(f"names a flag twice (got {v!r})")
    return letters


class ReplicaSpec(Spec):
    """``[[replica]]``: ``metadb -a -f -c count -l length device``."""

    device: str = field(_str("a slice like c0t0d0s7", None, _slice("a slice like c0t0d0s7")))
    count: int = field(_int(1, MDDB_NLB), 1)
    length: int = field(PositiveSize, DEFAULT_LENGTH)
    flags: list[str] | None = field(before(_str_list(), optional(list_of(_str(
        "the flag letters of one replica as metadb prints them, e.g. \"a m  p  luo\"", None,
        _replica_flags)))), None, description=(
            "each replica's flags as metadb prints them (one string per replica, blanks "
            "ignored); default: read at boot (a p luo, the first healthy one m)"))

    def check(self) -> None:
        """One flag string per replica."""
        if self.flags is not None and len(self.flags) != self.count:
            raise _fail(f"gives {len(self.flags)} flag strings for {self.count} "
                        "replica(s): one each", at="flags")


class HspSpec(Spec):
    """``[[hsp]]``: a hot spare pool and its spares, in order."""

    name: str = field(PoolName)
    spares: list[str] = field(_slices_of("a slice like c3t0d0s0"), default_factory=list)


def _rows(v: object) -> object:
    if not isinstance(v, list) or not v:
        raise _fail('must be a non-empty list of rows, each a list of components '
                    '(e.g. [["c1t0d0s0"]])')
    for i, row in enumerate(v):
        if not isinstance(row, list) or not row:
            raise _fail(f"must be a non-empty list of components (got {row!r})", at=f"[{i}]")
    return v


class StripeSpec(Spec):
    """``[[stripe]]``: a concat/stripe, one list of components per row."""

    name: str = field(UnitName)
    rows: list[list[str]] = field(before(_rows, list_of(list_of(Component))))
    interlace: int | None = field(with_schema(
        after(before(_size(0), optional(INT)), _interlace), _SIZE_JSON), None)
    hsp: str | None = field(optional(PoolName), None)

    def deps(self) -> list[str]:
        """The metadevices it is made of."""
        return [c for row in self.rows for c in row if local_unit(c)]


class MirrorSpec(Spec):
    """``[[mirror]]``: a mirror created Okay from existing concat/stripes."""

    name: str = field(UnitName)
    submirrors: list[str] = field(after(UnitList, _submirrors))
    pass_num: int = field(_int(0, 9), 1, alias="pass")
    read: ReadOption = field(literal(READ_OPTIONS), "roundrobin")
    write: WriteOption = field(literal(WRITE_OPTIONS), "parallel")

    def deps(self) -> list[str]:
        return list(self.submirrors)


def _extents(v: object) -> object:
    """``[[offset, blocks], ...]``: each a pair of positive block numbers, none
    overlapping (meta_sp.c meta_sp_list_overlaps refuses the same in ``-o/-b``)."""
    if v is None:
        return v
    if not isinstance(v, list) or not v:
        raise _fail("must be a non-empty list of [offset, blocks] pairs")
    pairs: list[list[int]] = []
    for i, pair in enumerate(v):
        if not (isinstance(pair, list) and len(pair) == 2 and all(
                isinstance(x, int) and not isinstance(x, bool) and 0 < x <= MAX_BLOCKS
                for x in pair)):
            raise _fail(f"must be [offset, blocks], two numbers > 0 (got {pair!r})",
                        at=f"[{i}]")
        pairs.append([pair[0], pair[1]])
    ordered = sorted(pairs)
    for (a, la), (b, _) in zip(ordered, ordered[1:], strict=False):
        if a + la > b:
            raise _fail(f"extents at {a} and {b} overlap")
    return pairs


class SoftPartSpec(Spec):
    """``[[softpart]]``: a soft partition of ``size`` blocks on a slice or metadevice."""

    name: str = field(UnitName)
    component: str = field(_str("a slice (c1t0d0s0) or a metadevice (d10)", None,
                                _softpart_component))
    size: int = field(PositiveSize)
    extents: list[list[int]] | None = field(before(_extents, _checked(
        {"type": "array", "minItems": 1, "items": {
            "type": "array", "minItems": 2, "maxItems": 2,
            "items": {"type": "integer", "minimum": 1, "maximum": MAX_BLOCKS}}})), None,
        description=(
            "where its data lies: [offset, blocks] pairs as metastat -p prints them "
            "(-o offset -b blocks, metainit's own syntax); their blocks add up to size; "
            "default: placed by metainit's first-fit allocator"))

    def check(self) -> None:
        """The extents hold the soft partition's size exactly."""
        if self.extents is not None and sum(n for _, n in self.extents) != self.size:
            raise _fail(f"extents add up to {sum(n for _, n in self.extents)} blocks, "
                        f"not size ({self.size})", at="extents")

    def deps(self) -> list[str]:
        return [self.component] if local_unit(self.component) else []


class WorkloadSpec(Spec):
    """``[filesystem.workload]``: what applications keep doing to a mounted file system."""

    writes_per_second: float = field(PerSecond, 0.0)
    creates_per_second: float = field(PerSecond, 0.0)
    deletes_per_second: float = field(PerSecond, 0.0)
    write_size: int = field(PositiveSize, 16)       # blocks per write (8 KB)
    paths: list[str] = field(StrList, default_factory=lambda: ["**"])


class FileSystemSpec(Spec):
    """``[[filesystem]]``: a UFS file system on a metadevice or slice."""

    mount: str = field(_str("an absolute path", re.compile(r"^/\S*$"), _mount))
    device: str = field(_str("a block device like /dev/md/dsk/d1 or /dev/dsk/c0t0d0s0", None,
                             _block_device))
    fstype: FsType = field(literal(FSTYPES), "ufs")
    size: int = field(Size, 0)                      # blocks of data in use
    files: int = field(FileCount, 0)
    seed: int = field(Seed, 1)
    logging: bool = field(BOOL, True)
    mounted: bool = field(BOOL, True)
    in_vfstab: bool = field(BOOL, True)
    options: str = field(STR, "")
    workload: WorkloadSpec | None = field(optional(table(WorkloadSpec)), None)

    @property
    def raw_device(self) -> str:
        """``/dev/md/dsk/d1`` -> ``/dev/md/rdsk/d1`` (what fsck and ufsdump are given)."""
        return raw_device(self.device)


class TapeSpec(Spec):
    """``[[tape]]``: a tape drive whose cartridges hold ``capacity`` blocks (for backups)."""

    device: str = field(_str("a tape device like /dev/rmt/0", TAPE_RE,
                             _matches(TAPE_RE.match, "a tape device like /dev/rmt/0")),
                        "/dev/rmt/0")
    capacity: int = field(PositiveSize)
    rate: float | None = field(optional(Rate), None)  # blocks/s; None: the backup model's
    cartridges: int = field(_int(1, 1000), 1)

    @property
    def rate_kbs(self) -> float | None:
        """The streaming speed in KB per second (what the backup model counts in)."""
        return None if self.rate is None else self.rate / 2


_DB_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,31}$")


class DatabaseSpec(Spec):
    """``[[database]]``: a database writing a raw volume with no file system (the Admin
    Guide's "raw device for database management software"; :mod:`simulator.ufs.databases`);
    ``/opt/svmsim/bin/dbctl`` is its vendor utility (quiesce, resume, status)."""

    name: str = field(_str("a database name like orders", _DB_NAME,
                           _matches(_DB_NAME.match, "a database name like orders")))
    volume: str = field(UnitName)
    writes_per_second: float = field(PerSecond, 1.0)
    seed: int = field(Seed, 1)


class SetupStep(Spec):
    """One ``[setup]`` step: commands, then I/O errors, then virtual time passing."""

    commands: list[str] = field(before(_str_list(), list_of(after(STR, _command))),
                                default_factory=list)
    io_errors: list[str] = field(_slices_of("a slice like c2t0d0s0"), default_factory=list)
    advance: float = field(Duration, 0.0)


def _driver_exit(v: object) -> object:
    if v is None or v in ("zero", "nonzero"):
        return v
    if isinstance(v, bool) or not isinstance(v, int):
        raise _fail(f'must be "zero", "nonzero" or an exit status (got {v!r})')
    return _int_range(0, 255)(v)


OutcomeName = Literal["backed-up", "refused", "failed-cleanly", "silent-failure",
                      "left-degraded", "hung", "timed-out", "read-only", "crashed"]
OUTCOME_NAMES: tuple[str, ...] = get_args(OutcomeName)
# what a run may end as when the scenario names no outcome (a backup driver that either
# backs up, or refuses, or fails and says so); ``simulator.session.outcomes`` describes each
DEFAULT_OUTCOMES: tuple[str, ...] = ("backed-up", "refused", "failed-cleanly")


class ReferenceDriver(Spec):
    """``[reference_driver]``: how the shipped reference driver
    (``drivers/svm-online-backup.sh``) is called on this host: ``args``, its arguments
    (options and operands, e.g. ``["-f", "/dev/rmt/0", "d1", "d3", "/home1"]``). The test
    suite runs the driver with them under dash, ksh93 and mksh and expects an acceptable
    outcome; ``svmsim campaign`` users copy them."""

    args: list[str] = field(list_of(after(STR, _one_line), min_length=1, max_length=32))


class Expect(Spec):
    """``[expect]``: what the verdict requires, with safe defaults (the verdict's
    ``simulator.session.checks`` and ``simulator.session.outcomes`` read this class; there
    is no second copy).

    Keys: ``outcome`` (the acceptable outcomes of a run, e.g. ``["backed-up"]``; default
    backed-up, refused or failed-cleanly), ``max_lock_seconds`` (the longest a driver may
    hold a write lock, virtual seconds, default 30), ``may_stay_detached`` (submirrors
    allowed to end detached), ``min_okay_submirrors`` (the redundancy floor: the lowest Okay
    count tolerated, default 1, never above what the mirror started with).

    Kept from the first format, and still meaningful: ``driver_exit`` ("zero", "nonzero" or
    a number: the ``driver-exit`` check), ``backup`` (true: a complete, clean archive must be
    made; false: none is expected), ``hang`` (true: the scenario expects the host to hang).
    Without ``outcome`` they choose the acceptable outcomes (see :meth:`outcomes`); with it,
    ``backup`` and ``driver_exit`` follow from it when not given. ``archive_matches`` is
    gone: a backed-up archive must always equal what applications saw at detach time.
    """

    outcome: list[str] | None = field(before(_str_list(), optional(list_of(
        literal(OUTCOME_NAMES)))), None)
    max_lock_seconds: float = field(Duration, 30.0)
    driver_exit: str | int | None = field(before(_driver_exit, _checked(
        {"anyOf": [{"enum": ["zero", "nonzero"]},
                   {"type": "integer", "minimum": 0, "maximum": 255}]})), None)
    backup: bool | None = field(optional(BOOL), None)
    may_stay_detached: list[str] = field(StrList, default_factory=list)
    # a mirror has at most NMIRROR (4) submirrors: a floor above that can never be met
    min_okay_submirrors: int = field(_int(0, 4), 1)
    hang: bool = field(BOOL, False)

    def check(self) -> None:
        """``backup`` and ``driver_exit`` as the outcomes imply, when not given (not marked
        as set: ``to_dict`` keeps only what the file said)."""
        if not self.outcome:
            return
        wanted = set(self.outcome)
        if self.backup is None:
            self.backup = True if wanted == {"backed-up"} else \
                False if "backed-up" not in wanted else None
        if self.driver_exit is None:
            self.driver_exit = "zero" if wanted <= {"backed-up", "read-only"} else \
                "nonzero" if wanted <= {"refused", "failed-cleanly"} else None

    def outcomes(self) -> tuple[str, ...]:
        """The acceptable outcomes: ``outcome`` when given; else what the first format's keys
        mean (``hang``: hung; ``backup = true``: backed-up; ``driver_exit`` zero: backed-up
        or read-only, non-zero: refused or failed-cleanly; ``backup = false``: anything but
        backed-up that is not a fault); else :data:`DEFAULT_OUTCOMES`."""
        if self.outcome:
            return tuple(dict.fromkeys(self.outcome))
        if self.hang:
            return ("hung",)
        if self.backup is True:
            return ("backed-up",)
        want = self.driver_exit
        if want is not None:
            if want in ("zero", 0):
                return ("read-only",) if self.backup is False else ("backed-up", "read-only")
            return ("refused", "failed-cleanly")
        if self.backup is False:
            return ("refused", "failed-cleanly", "read-only")
        return DEFAULT_OUTCOMES

    def to_dict(self) -> dict[str, Any]:
        """The keys the file set."""
        return self.model_dump(exclude_unset=True)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any] | Expect | None) -> Expect:
        """An ``[expect]`` table given as a dict (an Expect is returned as it is); a bad
        key or value is a ``ValueError`` naming it, as a scenario file's would be."""
        if isinstance(d, Expect):
            return d
        try:
            return cls.validate(dict(d or {}))
        except Invalid as e:
            where = ".".join(str(x) for x in e.loc)
            raise ValueError(f"expect.{where}: {e.msg}") from None


def _array_of_tables(key: str) -> Callable[[object, dict[str, Any]], object]:
    def check(v: object, earlier: dict[str, Any]) -> object:
        if isinstance(v, dict):
            if key == "setup":
                return [v]
            raise _fail(f"must be an array of tables: write [[{key}]], not [{key}]")
        if not isinstance(v, list):
            raise _fail(f"must be an array of tables (got {kind(v)})")
        return v
    return check


def _tables(cls: type[Table], key: str, **kw: Any) -> Any:
    """An array of tables ``[[key]]``, each a ``cls``."""
    return field(list_of(table(cls)), default_factory=list, prepare=_array_of_tables(key),
                 alias=key if key != "setup" else None, **kw)


def _fault(v: object) -> Fault:
    """A ``[[fault]]`` table (the one Fault schema, :mod:`simulator.faults.spec`)."""
    if isinstance(v, Fault):
        return v
    return Fault.validate(v)


_FAULT = Type(_fault, table(Fault).schema, Fault)


class Scenario(Spec):
    """A parsed, validated scenario; :meth:`build_host` makes the simulated host."""

    schema_url: str | None = field(optional(STR), None, alias=_SCHEMA_KEY)
    meta: ScenarioMeta = field(table(ScenarioMeta), default_factory=ScenarioMeta,
                               alias="scenario")
    host: HostSpec = field(table(HostSpec), default_factory=HostSpec)
    disks: list[DiskSpec] = _tables(DiskSpec, "disk")
    replicas: list[ReplicaSpec] = _tables(ReplicaSpec, "replica")
    hsps: list[HspSpec] = _tables(HspSpec, "hsp")
    stripes: list[StripeSpec] = _tables(StripeSpec, "stripe")
    mirrors: list[MirrorSpec] = _tables(MirrorSpec, "mirror")
    softparts: list[SoftPartSpec] = _tables(SoftPartSpec, "softpart")
    filesystems: list[FileSystemSpec] = _tables(FileSystemSpec, "filesystem")
    tapes: list[TapeSpec] = _tables(TapeSpec, "tape")
    databases: list[DatabaseSpec] = _tables(DatabaseSpec, "database")
    # ``[setup]`` (one table) or ``[[setup]]`` (several), in the JSON Schema too
    setup: list[SetupStep] = _tables(SetupStep, "setup", schema={"anyOf": [
        {"$ref": "#/$defs/SetupStep"},
        {"type": "array", "items": {"$ref": "#/$defs/SetupStep"}}]})
    # named apart from its table ([[fault]]) so that a mistyped [[faults]] is an unknown table
    fault_specs: list[Fault] = field(list_of(_FAULT), default_factory=list, alias="fault",
                                     prepare=_array_of_tables("fault"))
    expect: Expect = field(table(Expect), default_factory=Expect)
    reference_driver: ReferenceDriver | None = field(optional(table(ReferenceDriver)), None)

    def check(self) -> None:
        """The setup's advances keep the clock within what UFS can record (time32_t)."""
        now = self.host.start if self.host.start is not None else DEFAULT_START
        for i, step in enumerate(self.setup):
            now += step.advance
            if now > MAX_TIME:
                where = "setup" if len(self.setup) == 1 else f"setup[{i}]"
                raise _fail(f"takes the clock past 2038-01-19T03:14:07Z (epoch {MAX_TIME}: "
                            "UFS and ufsdump keep 32-bit times)", at=f"{where}.advance")

    @property
    def name(self) -> str:
        return self.meta.name if self.meta.name is not None else "scenario"

    @property
    def faults(self) -> list[Fault]:
        """The ``[[fault]]`` tables, armed on the built host after the setup."""
        return self.fault_specs

    @property
    def description(self) -> str:
        return self.meta.description

    @property
    def source(self) -> str:
        """The file (or ``<scenario>``) named in messages."""
        return str(self.__dict__.get("_source", "<scenario>"))

    @source.setter
    def source(self, value: str) -> None:
        self.__dict__["_source"] = value

    def error(self, where: str, message: str) -> ScenarioError:
        return ScenarioError(f"{self.source}: {where}: {message}")

    def build_host(self) -> Host:
        """Build the host through the model (:func:`simulator.scenario.build.build_scenario`);
        any refusal becomes a ScenarioError."""
        from simulator.scenario.build import build_scenario
        return build_scenario(self)

    def to_toml(self) -> str:
        """The scenario as a TOML file that loads back to an equal scenario (sizes in
        blocks, durations in seconds, rates in blocks per second)."""
        return to_toml(self.model_dump(exclude_none=True))


# ---------------------------------------------------------------------------- validation
def validate_document(data: dict[str, Any], source: str,
                      default_name: str = "scenario") -> Scenario:
    """A parsed TOML document as a Scenario, or a ScenarioError naming the first problem
    (an unknown top-level table first, then the tables in the models' order)."""
    try:
        for key in Scenario.unknown_keys(data):
            raise Invalid("extra_forbidden", data[key]).at(key)
        sc: Scenario = Scenario.validate(data)
    except Invalid as e:
        raise ScenarioError(f"{source}: {error_line(e, data)}") from None
    if sc.meta.name is None:
        sc.meta.name = default_name
    sc.source = source
    return sc


def error_line(err: Invalid, data: dict[str, Any]) -> str:
    """``key.path: problem`` for one problem."""
    loc = list(err.loc)
    if loc[:1] == ["setup"] and isinstance(data.get("setup"), dict) and len(loc) > 1:
        del loc[1]                       # [setup] (one table) is named without an index
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    at = str(err.ctx.get("at", ""))
    if at:
        where += at if at.startswith("[") or not where else f".{at}"
    return f"{where}: {_problem(err, loc)}"


def _problem(err: Invalid, loc: list[int | str]) -> str:
    """The words for one problem, as the scenario format has always said them."""
    kind_, v = err.type, err.input
    if kind_ in ("scenario", "value_error"):
        return str(err.ctx["message"])
    if kind_ == "missing":
        return "missing (required)"
    if kind_ == "extra_forbidden":
        return _unknown_key(loc)
    if kind_ == "literal_error":
        return f"must be one of {', '.join(err.ctx['choices'])} (got {v!r})"
    if kind_ in ("model_type", "dict_type"):
        return f"must be a table (got {kind(v)})"
    words = {"string_type": "must be a string", "int_type": "must be an integer",
             "float_type": "must be a number", "list_type": "must be an array"}
    if kind_ in words:
        return f"{words[kind_]} (got {kind(v)})"
    if kind_ == "bool_type":
        return f"must be true or false (got {v!r})"
    return err.msg


def _unknown_key(loc: list[int | str]) -> str:
    """``unknown key (did you mean 'x'?)``, or the known keys when nothing is close."""
    if len(loc) == 1:
        known, what = list(TOP_KEYS), "table"
    else:
        known, what = sorted(_keys_at(loc[:-1])), "key"
    hint = difflib.get_close_matches(str(loc[-1]), known, n=1)
    extra = f" (did you mean {hint[0]!r}?)" if hint else \
        f" (known: {', '.join(known)})" if known else ""
    return f"unknown {what}{extra}"


def _keys_at(loc: list[int | str]) -> list[str]:
    """The keys of the table at ``loc`` (found by following the tables' fields)."""
    model: Any = Scenario
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        f = model._by_key.get(part)
        model = f.type.table if f is not None else None
    if model is None or not issubclass(model, Table):
        return []
    return [f.key for f in model._fields]


# ---------------------------------------------------------------------------- JSON Schema
SCHEMA_FILE = "scenario.schema.json"


def json_schema() -> dict[str, Any]:
    """The scenario format as JSON Schema (draft 2020-12), for editors."""
    defs: dict[str, Any] = {}
    schema = Scenario.json_schema(defs)
    schema["$defs"] = defs
    schema.pop("title", None)
    head = {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "svmsim scenario",
            "description": "A simulated Solaris Volume Manager host (svmsim scenario file, "
                           f"version {SCHEMA_VERSION}); generated from "
                           "simulator/scenario/schema.py."}
    return {**head, **schema}


def json_schema_text() -> str:
    """What ``scenario.schema.json`` holds."""
    import json
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"


# ---------------------------------------------------------------------------- TOML out
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def to_toml(doc: dict[str, Any]) -> str:
    """A scenario document (tables, arrays of tables, one level of sub-tables) as TOML."""
    out: list[str] = []
    for key, value in doc.items():
        if isinstance(value, dict):
            _toml_table(out, [key], value, array=False)
        elif isinstance(value, list) and all(isinstance(v, dict) for v in value):
            for item in value:
                _toml_table(out, [key], item, array=True)
        else:
            out.insert(0, f"{_toml_key(key)} = {_toml_value(value)}")
    return "\n".join(out) + "\n"


def _toml_table(out: list[str], path: list[str], table: dict[str, Any], array: bool) -> None:
    name = ".".join(_toml_key(p) for p in path)
    if out:
        out.append("")
    out.append(f"[[{name}]]" if array else f"[{name}]")
    subtables = {k: v for k, v in table.items() if isinstance(v, dict)}
    out += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in table.items() if k not in subtables]
    for k, v in subtables.items():
        _toml_table(out, path + [str(k)], v, array=False)


def _toml_key(key: object) -> str:
    text = str(key)
    return text if _BARE_KEY.match(text) else _toml_string(text)


def _toml_string(text: str) -> str:
    escaped = {'"': '\\"', "\\": "\\\\"}
    return '"' + "".join(escaped.get(c, c) if c >= " " and c != "\x7f" else f"\\u{ord(c):04x}"
                         for c in text) + '"'


def _toml_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return _toml_string(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(x)}" for k, x in v.items()) \
            + " }"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")
