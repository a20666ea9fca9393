"""Scenario files: a simulated host described in TOML, checked up front, built through the model.

A scenario says what a site's host looks like before its backup script runs (disks, state
database replicas, metadevices, file systems, tapes, faults already present). Everything is
validated before anything is built, so a bad file gets one message naming the file, the key
and what is wrong, e.g. ``scenarios/x.toml: mirror[0].read: must be one of roundrobin,
geometric, first (got 'fast')``. Unknown keys are errors too (they are usually typos).

Schema, version 1 (sizes: ``"36GB"``, ``"512k"``, ``"32b"`` or a number of 512-byte blocks;
durations: ``"30s"``, ``"5m"``, ``"1h30m"`` or seconds; rates: ``"20MB/s"`` or blocks/s)::

    [scenario]     name (default: file stem), description (one line, shown by
                   `svmsim scenarios`), version = 1
    [host]         hostname = "sunhost", timezone = "UTC", start (ISO-8601 string or TOML
                   date-time; a time without offset is in `timezone`), resync_rate = "20MB/s"
    [[disk]]       name = "c1t0d0", size = "36GB", failed = false (every I/O to it fails),
                   [disk.slices] "0" = "34GB", "7" = "32MB" (placed in slice order; s2 is the
                   whole disk); without slices: s0 = all but s7, s7 = small (Host.add_disk)
    [[replica]]    device = "c0t0d0s7", count = 1, length = 8192   (metadb -a -f -c -l)
    [[hsp]]        name = "hsp001", spares = ["c3t0d0s0"]
    [[stripe]]     name = "d2", rows = [["c1t0d0s0"]] (each row a list of components, slices
                   or metadevices; a concat is several one-component rows), interlace = "32k",
                   hsp = "hsp001"
    [[mirror]]     name = "d1", submirrors = ["d2", "d3"], pass = 1, read = "roundrobin" |
                   "geometric" | "first", write = "parallel" | "serial"  (created Okay, as
                   `metainit d1 -m d2 d3`)
    [[softpart]]   name = "d80", component = "d70" | "c1t3d0s6", size = "1GB"
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
    [[fault]]      kind = "..." plus anything: kept raw for the fault-campaign engine
    [expect]       anything: kept raw for the harness's verdict

Metadevices and hot spare pools live in the local set (no disksets in scenarios yet).
Build order: disks, replicas, hot spare pools, metadevices (in dependency order), resync rate,
file systems, tapes, failed disks, then the setup steps (so setup commands can act on file
systems and `advance` lets their workload run).
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.core.errors import Error
from simulator.core.units import parse_duration, parse_rate, parse_size

if TYPE_CHECKING:
    from simulator.host import Host

SCHEMA_VERSION = 1
SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"      # in a wheel
_REPO_SCENARIO_DIR = Path(__file__).resolve().parent.parent.parent / "scenarios"  # a checkout

_DISK_RE = re.compile(r"^c\d+(t[0-9A-F]+)?d\d+$")
_SLICE_RE = re.compile(r"^(?P<disk>c\d+(?:t[0-9A-F]+)?d\d+)s(?P<slice>[0-7])$")  # MPxIO WWN
_UNIT_RE = re.compile(r"^d(\d+)$")
_HSP_RE = re.compile(r"^hsp\d{3}$")
_HOSTNAME_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,254})$")
_MD_DEVICE_RE = re.compile(r"^/dev/md/(?:(?P<set>[^/]+)/)?r?dsk/(?P<unit>d\d+)$")
_TAPE_RE = re.compile(r"^/dev/rmt/\d+[lmhcu]?b?n?$")
_SLICE_DEVICE_RE = re.compile(r"^/dev/r?dsk/(?P<slice>c\d+(?:t[0-9A-F]+)?d\d+s[0-7])$")
MAX_UNITS = 8192
READ_OPTIONS = ("roundrobin", "geometric", "first")
WRITE_OPTIONS = ("parallel", "serial")
FSTYPES = ("ufs",)

_TOP_KEYS = ("scenario", "host", "disk", "replica", "hsp", "stripe", "mirror", "softpart",
             "filesystem", "tape", "setup", "fault", "expect")


class ScenarioError(Error, ValueError):
    """A scenario that cannot be read, is invalid, or cannot be built (one-line message)."""


# ---------------------------------------------------------------------------- specs
@dataclass
class HostSpec:
    """``[host]``: identity, clock and resync speed."""

    hostname: str = "sunhost"
    timezone: str = "UTC"
    start: float | None = None          # epoch seconds; None: the clock's default start
    resync_rate: float | None = None    # blocks per second; None: the model's default


@dataclass
class DiskSpec:
    """``[[disk]]``: a disk and, optionally, its slice layout (slice -> blocks)."""

    name: str
    size: int
    slices: dict[int, int] | None = None
    failed: bool = False


@dataclass
class ReplicaSpec:
    """``[[replica]]``: ``metadb -a -f -c count -l length device``."""

    device: str
    count: int = 1
    length: int = 8192


@dataclass
class HspSpec:
    """``[[hsp]]``: a hot spare pool and its spares, in order."""

    name: str
    spares: list[str] = field(default_factory=list)


@dataclass
class StripeSpec:
    """``[[stripe]]``: a concat/stripe, one list of components per row."""

    name: str
    rows: list[list[str]]
    interlace: int | None = None
    hsp: str | None = None


@dataclass
class MirrorSpec:
    """``[[mirror]]``: a mirror created Okay from existing concat/stripes."""

    name: str
    submirrors: list[str]
    pass_num: int = 1
    read: str = "roundrobin"
    write: str = "parallel"


@dataclass
class SoftPartSpec:
    """``[[softpart]]``: a soft partition of ``size`` blocks on a slice or metadevice."""

    name: str
    component: str
    size: int


@dataclass
class SetupStep:
    """One ``[setup]`` step: commands, then I/O errors, then virtual time passing."""

    commands: list[str] = field(default_factory=list)
    io_errors: list[str] = field(default_factory=list)
    advance: float = 0.0


@dataclass
class WorkloadSpec:
    """``[filesystem.workload]``: what applications keep doing to a mounted file system."""

    writes_per_second: float = 0.0
    creates_per_second: float = 0.0
    deletes_per_second: float = 0.0
    write_size: int = 16                # blocks per write (8 KB)
    paths: list[str] = field(default_factory=lambda: ["**"])


@dataclass
class FileSystemSpec:
    """``[[filesystem]]``: a UFS file system on a metadevice or slice (for the fs subsystem)."""

    mount: str
    device: str
    fstype: str = "ufs"
    size: int = 0                       # blocks of data in use
    files: int = 0
    seed: int = 1
    logging: bool = True
    mounted: bool = True
    in_vfstab: bool = True
    options: str = ""
    workload: WorkloadSpec | None = None

    @property
    def raw_device(self) -> str:
        """``/dev/md/dsk/d1`` -> ``/dev/md/rdsk/d1`` (what fsck and ufsdump are given)."""
        return self.device.replace("/dsk/", "/rdsk/", 1)


@dataclass
class TapeSpec:
    """``[[tape]]``: a tape drive whose cartridges hold ``capacity`` blocks (for backups)."""

    device: str
    capacity: int
    rate_kbs: float | None = None       # KB per second; None: the backup model's default
    cartridges: int = 1


@dataclass
class Scenario:
    """A parsed, validated scenario; :meth:`build_host` makes the simulated host."""

    name: str
    description: str = ""
    source: str = "<scenario>"
    host: HostSpec = field(default_factory=HostSpec)
    disks: list[DiskSpec] = field(default_factory=list)
    replicas: list[ReplicaSpec] = field(default_factory=list)
    hsps: list[HspSpec] = field(default_factory=list)
    stripes: list[StripeSpec] = field(default_factory=list)
    mirrors: list[MirrorSpec] = field(default_factory=list)
    softparts: list[SoftPartSpec] = field(default_factory=list)
    filesystems: list[FileSystemSpec] = field(default_factory=list)
    tapes: list[TapeSpec] = field(default_factory=list)
    setup: list[SetupStep] = field(default_factory=list)
    faults: list[dict[str, Any]] = field(default_factory=list)
    expect: dict[str, Any] = field(default_factory=dict)

    def error(self, where: str, message: str) -> ScenarioError:
        return ScenarioError(f"{self.source}: {where}: {message}")

    def build_host(self) -> Host:
        """Build the host through the model; any refusal becomes a ScenarioError."""
        return _Builder(self).build()


# ---------------------------------------------------------------------------- reading
class _Table:
    """A TOML table being validated: typed getters, and unknown keys reported at the end."""

    def __init__(self, data: Any, where: str, source: str) -> None:
        self.where = where
        self.source = source
        if not isinstance(data, dict):
            raise self.fail(where, f"must be a table (got {_kind(data)})")
        self.data: dict[str, Any] = data
        self.seen: set[str] = set()

    def fail(self, where: str, message: str) -> ScenarioError:
        return ScenarioError(f"{self.source}: {where}: {message}")

    def key(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str, required: bool = False) -> Any:
        self.seen.add(key)
        if key not in self.data:
            if required:
                raise self.fail(self.key(key), "missing (required)")
            return None
        return self.data[key]

    def get_str(self, key: str, default: str | None = None, required: bool = False,
                pattern: re.Pattern[str] | None = None, what: str = "") -> str:
        v = self.raw(key, required)
        if v is None:
            return default if default is not None else ""
        if not isinstance(v, str):
            raise self.fail(self.key(key), f"must be a string (got {_kind(v)})")
        if pattern is not None and not pattern.match(v):
            raise self.fail(self.key(key), f"not {what} (got {v!r})")
        return v

    def choice(self, key: str, choices: tuple[str, ...], default: str) -> str:
        v = self.get_str(key, default)
        if v not in choices:
            raise self.fail(self.key(key), f"must be one of {', '.join(choices)} (got {v!r})")
        return v

    def get_int(self, key: str, default: int, lo: int | None = None,
                hi: int | None = None) -> int:
        v = self.raw(key)
        if v is None:
            return default
        if isinstance(v, bool) or not isinstance(v, int):
            raise self.fail(self.key(key), f"must be an integer (got {_kind(v)})")
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            rng = f"from {lo} to {hi}" if hi is not None else f"at least {lo}"
            raise self.fail(self.key(key), f"must be {rng} (got {v})")
        return v

    def get_float(self, key: str, default: float) -> float:
        v = self.raw(key)
        if v is None:
            return default
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) \
                or v < 0:
            raise self.fail(self.key(key), f"must be a number >= 0 (got {v!r})")
        return float(v)

    def get_bool(self, key: str, default: bool) -> bool:
        v = self.raw(key)
        if v is None:
            return default
        if not isinstance(v, bool):
            raise self.fail(self.key(key), f"must be true or false (got {v!r})")
        return v

    def size(self, key: str, default: int | None = None, required: bool = False,
             minimum: int = 0) -> int | None:
        v = self.raw(key, required)
        if v is None:
            return default
        try:
            blocks = parse_size(v)
        except ValueError as e:
            raise self.fail(self.key(key), str(e)) from None
        if blocks < minimum:
            raise self.fail(self.key(key), f"must be at least {minimum} block"
                            f"{'s' if minimum != 1 else ''} (got {v!r})")
        return blocks

    def duration(self, key: str) -> float:
        v = self.raw(key)
        if v is None:
            return 0.0
        try:
            return parse_duration(v)
        except ValueError as e:
            raise self.fail(self.key(key), str(e)) from None

    def str_list(self, key: str, required: bool = False, pattern: re.Pattern[str] | None = None,
                 what: str = "", nonempty: bool = False) -> list[str]:
        v = self.raw(key, required)
        if v is None:
            return []
        if not isinstance(v, list):
            raise self.fail(self.key(key), f"must be a list of strings (got {_kind(v)})")
        if nonempty and not v:
            raise self.fail(self.key(key), "must not be empty")
        for i, item in enumerate(v):
            if not isinstance(item, str):
                raise self.fail(f"{self.key(key)}[{i}]", f"must be a string (got {_kind(item)})")
            if pattern is not None and not pattern.match(item):
                raise self.fail(f"{self.key(key)}[{i}]", f"not {what} (got {item!r})")
        return list(v)

    def done(self) -> None:
        """Unknown keys are errors: they are almost always typos of known ones."""
        for key in self.data:
            if key not in self.seen:
                known = sorted(self.seen)
                hint = difflib.get_close_matches(key, known, n=1)
                extra = f" (did you mean {hint[0]!r}?)" if hint else \
                    f" (known: {', '.join(known)})" if known else ""
                raise self.fail(self.key(key), f"unknown key{extra}")


def _kind(v: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "an array", dict: "a table"}.get(type(v), type(v).__name__)


def _array(doc: _Table, key: str) -> list[_Table]:
    """``[[key]]`` entries as tables named ``key[i]``."""
    v = doc.raw(key)
    if v is None:
        return []
    if isinstance(v, dict):
        raise doc.fail(key, f"must be an array of tables: write [[{key}]], not [{key}]")
    if not isinstance(v, list):
        raise doc.fail(key, f"must be an array of tables (got {_kind(v)})")
    return [_Table(item, f"{key}[{i}]", doc.source) for i, item in enumerate(v)]


def _short_device(name: str) -> str:
    for prefix in ("/dev/dsk/", "/dev/rdsk/"):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def parse_scenario(data: str | dict[str, Any], source: str = "<scenario>",
                   default_name: str = "scenario") -> Scenario:
    """Validate a scenario (TOML text or an already parsed document) and return it."""
    if isinstance(data, str):
        try:
            data = tomllib.loads(data)
        except tomllib.TOMLDecodeError as e:
            raise ScenarioError(f"{source}: TOML syntax error: {e}") from None
    doc = _Table(data, "", source)
    for key in data:
        if key not in _TOP_KEYS:
            hint = difflib.get_close_matches(key, _TOP_KEYS, n=1)
            extra = f" (did you mean {hint[0]!r}?)" if hint else \
                f" (known: {', '.join(_TOP_KEYS)})"
            raise doc.fail(key, f"unknown table{extra}")
    meta = _Table(doc.raw("scenario") or {}, "scenario", source)
    sc = Scenario(name=meta.get_str("name", default_name), source=source)
    sc.description = meta.get_str("description")
    if "\n" in sc.description:
        raise meta.fail("scenario.description", "must be one line")
    meta.get_int("version", SCHEMA_VERSION, SCHEMA_VERSION, SCHEMA_VERSION)
    meta.done()
    sc.host = _parse_host(_Table(doc.raw("host") or {}, "host", source))
    sc.disks = [_parse_disk(t) for t in _array(doc, "disk")]
    sc.replicas = [_parse_replica(t) for t in _array(doc, "replica")]
    sc.hsps = [_parse_hsp(t) for t in _array(doc, "hsp")]
    sc.stripes = [_parse_stripe(t) for t in _array(doc, "stripe")]
    sc.mirrors = [_parse_mirror(t) for t in _array(doc, "mirror")]
    sc.softparts = [_parse_softpart(t) for t in _array(doc, "softpart")]
    sc.filesystems = [_parse_filesystem(t) for t in _array(doc, "filesystem")]
    sc.tapes = [_parse_tape(t) for t in _array(doc, "tape")]
    sc.setup = _parse_setup(doc)
    for t in _array(doc, "fault"):
        kind = t.raw("kind", required=True)
        if not isinstance(kind, str) or not kind:
            raise t.fail(t.key("kind"), f"must be a non-empty string (got {kind!r})")
        sc.faults.append(dict(t.data))
    expect = doc.raw("expect")
    if expect is not None:
        sc.expect = dict(_Table(expect, "expect", source).data)
    _check_references(sc)
    return sc


def _parse_host(t: _Table) -> HostSpec:
    spec = HostSpec(hostname=t.get_str("hostname", "sunhost", pattern=_HOSTNAME_RE,
                                       what="a host name"),
                    timezone=t.get_str("timezone", "UTC"))
    tz = _zone(t, spec.timezone)
    start = t.raw("start")
    if start is not None:
        spec.start = _parse_start(t, start, tz)
    rate = t.raw("resync_rate")
    if rate is not None:
        try:
            spec.resync_rate = parse_rate(rate)
        except ValueError as e:
            raise t.fail(t.key("resync_rate"), str(e)) from None
        if spec.resync_rate <= 0:
            raise t.fail(t.key("resync_rate"), f"must be more than 0 (got {rate!r})")
    t.done()
    return spec


def _zone(t: _Table, name: str) -> Any:
    if name in ("UTC", "GMT"):
        return UTC
    try:
        from zoneinfo import ZoneInfo
        return ZoneInfo(name)
    except (ValueError, LookupError, OSError):
        raise t.fail(t.key("timezone"), f"unknown time zone {name!r}") from None


def _parse_start(t: _Table, value: Any, tz: Any) -> float:
    if isinstance(value, bool):
        raise t.fail(t.key("start"), "must be an ISO-8601 date-time (got a boolean)")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise t.fail(t.key("start"), f"not an ISO-8601 date-time (got {value!r}, "
                         "expected e.g. '2026-11-24T10:00:00Z')") from None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if not isinstance(value, datetime):
        raise t.fail(t.key("start"), f"must be an ISO-8601 date-time (got {_kind(value)})")
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.timestamp()


def _parse_disk(t: _Table) -> DiskSpec:
    name = t.get_str("name", required=True, pattern=_DISK_RE, what="a disk name like c1t0d0")
    size = t.size("size", required=True, minimum=1)
    assert size is not None
    spec = DiskSpec(name, size, failed=t.get_bool("failed", False))
    raw = t.raw("slices")
    if raw is not None:
        st = _Table(raw, t.key("slices"), t.source)
        slices: dict[int, int] = {}
        for key in list(st.data):
            if key not in {str(i) for i in range(8)}:
                raise st.fail(st.key(key), "slice numbers are 0 to 7")
            sz = st.size(key, minimum=1)
            assert sz is not None
            if sz > size:
                raise st.fail(st.key(key), "slice is larger than the disk")
            slices[int(key)] = sz
        if not slices:
            raise t.fail(t.key("slices"), "must name at least one slice")
        used = sum(v for k, v in slices.items() if k != 2)
        if used > size:
            raise t.fail(t.key("slices"), f"slices add up to {used} blocks, more than the "
                         f"disk's {size}")
        spec.slices = slices
    t.done()
    return spec


def _parse_replica(t: _Table) -> ReplicaSpec:
    device = _short_device(t.get_str("device", required=True, pattern=re.compile(
        r"^(/dev/r?dsk/)?c\d+(t[0-9A-F]+)?d\d+s[0-7]$"), what="a slice like c0t0d0s7"))
    length = t.size("length", 8192, minimum=1)
    assert length is not None
    spec = ReplicaSpec(device, t.get_int("count", 1, 1, 50), length)
    t.done()
    return spec


def _parse_hsp(t: _Table) -> HspSpec:
    spec = HspSpec(t.get_str("name", required=True, pattern=_HSP_RE,
                             what="a pool name like hsp001"),
                   [_short_device(s) for s in t.str_list(
                       "spares", pattern=re.compile(r"^(/dev/r?dsk/)?c\d+(t[0-9A-F]+)?d\d+s[0-7]$"),
                       what="a slice like c3t0d0s0")])
    t.done()
    return spec


def _unit_name(t: _Table, key: str) -> str:
    name = t.get_str(key, required=True, pattern=_UNIT_RE, what="a metadevice name like d10")
    if int(name[1:]) >= MAX_UNITS:
        raise t.fail(t.key(key), f"metadevice numbers go from d0 to d{MAX_UNITS - 1} "
                     f"(got {name!r})")
    return name


def _parse_stripe(t: _Table) -> StripeSpec:
    name = _unit_name(t, "name")
    raw = t.raw("rows", required=True)
    if not isinstance(raw, list) or not raw:
        raise t.fail(t.key("rows"), "must be a non-empty list of rows, each a list of "
                     'components (e.g. [["c1t0d0s0"]])')
    rows: list[list[str]] = []
    for i, row in enumerate(raw):
        where = f"{t.key('rows')}[{i}]"
        if not isinstance(row, list) or not row:
            raise t.fail(where, f"must be a non-empty list of components (got {row!r})")
        comps = []
        for j, comp in enumerate(row):
            if not isinstance(comp, str):
                raise t.fail(f"{where}[{j}]", f"must be a string (got {_kind(comp)})")
            short = _short_device(comp)
            if not (_SLICE_RE.match(short) or _UNIT_RE.match(short)):
                raise t.fail(f"{where}[{j}]", f"not a slice or metadevice (got {comp!r})")
            comps.append(short)
        rows.append(comps)
    spec = StripeSpec(name, rows, t.size("interlace"),
                      t.get_str("hsp", pattern=_HSP_RE, what="a pool name like hsp001") or None)
    if spec.interlace is not None and not 16 <= spec.interlace <= 204800:
        raise t.fail(t.key("interlace"), "must be from 16 blocks (8k) to 100MB")
    t.done()
    return spec


def _parse_mirror(t: _Table) -> MirrorSpec:
    name = _unit_name(t, "name")
    subs = t.str_list("submirrors", required=True, pattern=_UNIT_RE,
                      what="a metadevice name like d10", nonempty=True)
    if len(subs) > 4:
        raise t.fail(t.key("submirrors"), f"a mirror has at most 4 submirrors (got {len(subs)})")
    if len(set(subs)) != len(subs):
        raise t.fail(t.key("submirrors"), "names a submirror twice")
    spec = MirrorSpec(name, subs, t.get_int("pass", 1, 0, 9), t.choice("read", READ_OPTIONS,
                      "roundrobin"), t.choice("write", WRITE_OPTIONS, "parallel"))
    t.done()
    return spec


def _parse_softpart(t: _Table) -> SoftPartSpec:
    name = _unit_name(t, "name")
    comp = _short_device(t.get_str("component", required=True))
    if not (_SLICE_RE.match(comp) or _UNIT_RE.match(comp)):
        raise t.fail(t.key("component"), f"not a slice or metadevice (got {comp!r})")
    size = t.size("size", required=True, minimum=1)
    assert size is not None
    t.done()
    return SoftPartSpec(name, comp, size)


def _parse_filesystem(t: _Table) -> FileSystemSpec:
    mount = t.get_str("mount", required=True, pattern=re.compile(r"^/[^\s]*$"),
                      what="an absolute path")
    if mount != "/" and mount.endswith("/"):
        raise t.fail(t.key("mount"), f"must not end with '/' (got {mount!r})")
    device = t.get_str("device", required=True)
    if not (_MD_DEVICE_RE.match(device) or _SLICE_DEVICE_RE.match(device)):
        raise t.fail(t.key("device"), "must be a block device like /dev/md/dsk/d1 or "
                     f"/dev/dsk/c0t0d0s0 (got {device!r})")
    if "/rdsk/" in device:
        raise t.fail(t.key("device"), f"must be the block device, not the raw one "
                     f"(got {device!r})")
    size = t.size("size", 0)
    assert size is not None
    spec = FileSystemSpec(mount=mount, device=device,
                          fstype=t.choice("fstype", FSTYPES, "ufs"), size=size,
                          files=t.get_int("files", 0, 0), seed=t.get_int("seed", 1),
                          logging=t.get_bool("logging", True),
                          mounted=t.get_bool("mounted", True),
                          in_vfstab=t.get_bool("in_vfstab", True),
                          options=t.get_str("options", ""))
    raw = t.raw("workload")
    if raw is not None:
        w = _Table(raw, t.key("workload"), t.source)
        write_size = w.size("write_size", 16, minimum=1)
        assert write_size is not None
        spec.workload = WorkloadSpec(
            writes_per_second=w.get_float("writes_per_second", 0.0),
            creates_per_second=w.get_float("creates_per_second", 0.0),
            deletes_per_second=w.get_float("deletes_per_second", 0.0),
            write_size=write_size,
            paths=w.str_list("paths") if w.has("paths") else ["**"])
        w.done()
    t.done()
    return spec


def _parse_tape(t: _Table) -> TapeSpec:
    device = t.get_str("device", "/dev/rmt/0", pattern=_TAPE_RE,
                       what="a tape device like /dev/rmt/0")
    capacity = t.size("capacity", required=True, minimum=1)
    assert capacity is not None
    spec = TapeSpec(device, capacity, cartridges=t.get_int("cartridges", 1, 1, 1000))
    rate = t.raw("rate")
    if rate is not None:
        try:
            spec.rate_kbs = parse_rate(rate) / 2     # blocks/s -> KB/s
        except ValueError as e:
            raise t.fail(t.key("rate"), str(e)) from None
        if spec.rate_kbs <= 0:
            raise t.fail(t.key("rate"), f"must be more than 0 (got {rate!r})")
    t.done()
    return spec


def _parse_setup(doc: _Table) -> list[SetupStep]:
    raw = doc.raw("setup")
    if raw is None:
        return []
    tables = [_Table(raw, "setup", doc.source)] if isinstance(raw, dict) else \
        _array(doc, "setup")
    steps = []
    for t in tables:
        step = SetupStep(commands=t.str_list("commands"),
                         io_errors=[_short_device(s) for s in t.str_list(
                             "io_errors", pattern=re.compile(
                                 r"^(/dev/r?dsk/)?c\d+(t[0-9A-F]+)?d\d+s[0-7]$"),
                             what="a slice like c2t0d0s0")],
                         advance=t.duration("advance"))
        for i, cmd in enumerate(step.commands):
            if not cmd.strip():
                raise t.fail(f"{t.key('commands')}[{i}]", "empty command")
        t.done()
        steps.append(step)
    return steps


# ---------------------------------------------------------------------------- cross-checks
def _check_references(sc: Scenario) -> None:
    """Names used must be declared once; slices must exist on declared disks."""
    disks: dict[str, DiskSpec] = {}
    for i, d in enumerate(sc.disks):
        if d.name in disks:
            raise sc.error(f"disk[{i}].name", f"disk {d.name} is declared twice")
        disks[d.name] = d

    def check_slice(where: str, name: str) -> None:
        m = _SLICE_RE.match(name)
        if not m:
            return
        disk = disks.get(m.group("disk"))
        if disk is None:
            raise sc.error(where, f"{name}: disk {m.group('disk')} is not declared in [[disk]]")
        num = int(m.group("slice"))
        if disk.slices is not None and num not in disk.slices and num != 2:
            raise sc.error(where, f"{name}: disk {disk.name} has no slice {num}")

    units: dict[str, str] = {}
    for kind, i, u in _all_units(sc):
        if u.name in units:
            raise sc.error(f"{kind}[{i}].name", f"{u.name} is already declared as a "
                           f"{units[u.name]}")
        units[u.name] = kind
    pools = set()
    for i, p in enumerate(sc.hsps):
        if p.name in pools:
            raise sc.error(f"hsp[{i}].name", f"{p.name} is declared twice")
        pools.add(p.name)
        for j, s in enumerate(p.spares):
            check_slice(f"hsp[{i}].spares[{j}]", s)
    for i, r in enumerate(sc.replicas):
        check_slice(f"replica[{i}].device", r.device)
    if units and not sc.replicas:
        raise sc.error("replica", "metadevices need state database replicas: add [[replica]]")
    if sc.hsps and not sc.replicas:
        raise sc.error("replica", "hot spare pools need state database replicas: add "
                       "[[replica]]")

    def check_unit(where: str, name: str) -> None:
        if _UNIT_RE.match(name) and name not in units:
            raise sc.error(where, f"{name} is not declared ([[stripe]], [[mirror]] or "
                           "[[softpart]])")

    for i, st in enumerate(sc.stripes):
        for ri, row in enumerate(st.rows):
            for ci, comp in enumerate(row):
                where = f"stripe[{i}].rows[{ri}][{ci}]"
                check_slice(where, comp)
                check_unit(where, comp)
                if comp == st.name:
                    raise sc.error(where, f"{st.name} cannot contain itself")
        if st.hsp is not None and st.hsp not in pools:
            raise sc.error(f"stripe[{i}].hsp", f"{st.hsp} is not declared in [[hsp]]")
    owner: dict[str, str] = {}
    for i, m in enumerate(sc.mirrors):
        for j, sub in enumerate(m.submirrors):
            where = f"mirror[{i}].submirrors[{j}]"
            if units.get(sub) != "stripe":
                what = f"a {units[sub]}" if sub in units else "not declared"
                raise sc.error(where, f"{sub} must be a [[stripe]] ({sub} is {what})")
            if sub in owner:
                raise sc.error(where, f"{sub} is already a submirror of {owner[sub]}")
            owner[sub] = m.name
    for i, sp in enumerate(sc.softparts):
        check_slice(f"softpart[{i}].component", sp.component)
        check_unit(f"softpart[{i}].component", sp.component)
    drives: set[str] = set()
    for i, tape in enumerate(sc.tapes):
        unit = re.sub(r"[lmhcu]?b?n?$", "", tape.device)
        if unit in drives:
            raise sc.error(f"tape[{i}].device", f"drive {unit} is declared twice")
        drives.add(unit)
    mounts: set[str] = set()
    for i, fs in enumerate(sc.filesystems):
        if fs.mount in mounts:
            raise sc.error(f"filesystem[{i}].mount", f"{fs.mount} is mounted twice")
        mounts.add(fs.mount)
        md = _MD_DEVICE_RE.match(fs.device)
        if md:
            if md.group("set"):
                raise sc.error(f"filesystem[{i}].device", "disksets are not supported in "
                               f"scenarios (got {fs.device!r})")
            check_unit(f"filesystem[{i}].device", md.group("unit"))
        else:
            check_slice(f"filesystem[{i}].device", _short_device(fs.device))
    for i, step in enumerate(sc.setup):
        where = "setup" if len(sc.setup) == 1 else f"setup[{i}]"
        for j, s in enumerate(step.io_errors):
            check_slice(f"{where}.io_errors[{j}]", s)
    _creation_order(sc)


_UnitSpec = StripeSpec | MirrorSpec | SoftPartSpec


def _all_units(sc: Scenario) -> list[tuple[str, int, _UnitSpec]]:
    """Every metadevice spec as (table, index, spec)."""
    out: list[tuple[str, int, _UnitSpec]] = []
    out += [("stripe", i, s) for i, s in enumerate(sc.stripes)]
    out += [("softpart", i, p) for i, p in enumerate(sc.softparts)]
    out += [("mirror", i, m) for i, m in enumerate(sc.mirrors)]
    return out


def _deps(spec: _UnitSpec) -> list[str]:
    if isinstance(spec, StripeSpec):
        return [c for row in spec.rows for c in row if _UNIT_RE.match(c)]
    if isinstance(spec, MirrorSpec):
        return list(spec.submirrors)
    return [spec.component] if _UNIT_RE.match(spec.component) else []


def _creation_order(sc: Scenario) -> list[tuple[str, int, _UnitSpec]]:
    """Metadevices in an order where each one's parts exist before it (a cycle is an error)."""
    pending = _all_units(sc)
    done: set[str] = set()
    order = []
    while pending:
        ready = [p for p in pending if all(d in done for d in _deps(p[2]))]
        if not ready:
            kind, i, spec = pending[0]
            raise sc.error(f"{kind}[{i}]", f"{spec.name} is part of a cycle of metadevices "
                           f"({', '.join(p[2].name for p in pending)})")
        for p in ready:
            order.append(p)
            done.add(p[2].name)
            pending.remove(p)
    return order


# ---------------------------------------------------------------------------- building
class _Builder:
    """Applies a validated scenario to a fresh Host, naming the table of any refusal."""

    def __init__(self, sc: Scenario) -> None:
        self.sc = sc

    def fail(self, where: str, e: Exception) -> ScenarioError:
        from simulator.lvm.errors import MDError
        if isinstance(e, MDError):
            parts = [p for p in (e.extra, e.name) if p]
            text = ": ".join(parts + [e.text])
        else:
            text = str(e)
        return self.sc.error(where, text)

    def build(self) -> Host:
        from simulator.core.clock import VirtualClock
        from simulator.host import Host
        from simulator.lvm.errors import MDError
        sc, spec = self.sc, self.sc.host
        clock = VirtualClock(timezone=spec.timezone) if spec.start is None else \
            VirtualClock(spec.start, spec.timezone)
        host = Host(spec.hostname, clock)
        local = host.md.sets[""]
        for d in sc.disks:
            host.add_disk(d.name, d.size, d.slices)
        step: tuple[str, Any] = ("", None)
        try:
            for i, r in enumerate(sc.replicas):
                step = (f"replica[{i}]", r)
                host.md.add_replicas(local, [r.device], count=r.count, length=r.length,
                                     force=True)
            for i, p in enumerate(sc.hsps):
                step = (f"hsp[{i}]", p)
                host.md.create_hsp(local, p.name, list(p.spares))
            for kind, i, u in _creation_order(sc):
                step = (f"{kind}[{i}]", u)
                if isinstance(u, StripeSpec):
                    host.md.create_stripe(local, u.name, [(list(r), u.interlace)
                                                          for r in u.rows], hsp=u.hsp)
                elif isinstance(u, MirrorSpec):
                    host.md.create_mirror(local, u.name, list(u.submirrors), u.read, u.write,
                                          u.pass_num)
                else:
                    host.md.create_softpart(local, u.name, u.component, u.size)
        except MDError as e:
            raise self.fail(step[0], e) from None
        if spec.resync_rate is not None:
            host.md.resync_rate = spec.resync_rate
        self._filesystems(host)
        self._tapes(host)
        for d in sc.disks:
            if d.failed:
                host.disks[d.name].failed = True
                for num in sorted(host.disks[d.name].slices):
                    self._io_error(host, f"{d.name}s{num}")
        for i, st in enumerate(sc.setup):
            self._setup(host, "setup" if len(sc.setup) == 1 else f"setup[{i}]", st)
        return host

    def _filesystems(self, host: Host) -> None:
        from simulator.lvm.errors import MDError
        for i, fs in enumerate(self.sc.filesystems):
            where = f"filesystem[{i}]"
            md = _MD_DEVICE_RE.match(fs.device)
            try:
                unit = host.md.sets[""].units.get(md.group("unit")) if md else None
                room = unit.size if unit is not None else \
                    host.md.slice_size(_short_device(fs.device))
            except MDError as e:
                raise self.fail(f"{where}.device", e) from None
            if fs.size > room:
                raise self.sc.error(f"{where}.size", f"{fs.size} blocks of data do not fit "
                                    f"on {fs.device} ({room} blocks)")
            sub = host.fs
            if sub is None or not hasattr(sub, "configure"):
                raise self.sc.error(where, "file systems are not supported by this build "
                                    "(no 'fs' subsystem)")
            try:
                sub.configure(fs)
            except (MDError, ValueError) as e:
                raise self.fail(where, e) from None

    def _tapes(self, host: Host) -> None:
        from simulator.lvm.errors import MDError
        for i, tape in enumerate(self.sc.tapes):
            sub = host.backups
            if sub is None or not hasattr(sub, "add_tape"):
                raise self.sc.error(f"tape[{i}]", "tapes are not supported by this build "
                                    "(no 'backup' subsystem)")
            try:
                sub.add_tape(tape)
            except (MDError, ValueError) as e:
                raise self.fail(f"tape[{i}]", e) from None

    @staticmethod
    def _io_error(host: Host, comp: str) -> None:
        host.md.io_error(comp)
        if any(r.device == comp for s in host.md.sets.values() for r in s.replicas):
            host.md.replica_error(comp)

    def _setup(self, host: Host, where: str, step: SetupStep) -> None:
        from simulator.host import HostHung
        for j, cmd in enumerate(step.commands):
            try:
                res = host.run(cmd)
            except HostHung as e:
                raise self.sc.error(f"{where}.commands[{j}]", f"{cmd!r} hung the host: "
                                    f"{e}") from None
            except ValueError as e:      # shlex: unbalanced quotes
                raise self.sc.error(f"{where}.commands[{j}]", f"{cmd!r}: {e}") from None
            if res.exit_code != 0:
                said = " ".join(res.stderr.split()) or " ".join(res.stdout.split())
                raise self.sc.error(f"{where}.commands[{j}]", f"{cmd!r} failed (exit "
                                    f"{res.exit_code}){': ' + said if said else ''}")
        for comp in step.io_errors:
            self._io_error(host, comp)
        host.advance(step.advance)


# ---------------------------------------------------------------------------- finding files
def scenario_dirs() -> list[Path]:
    """Where shipped scenarios live: inside the package (installed) or the source tree."""
    return [d for d in (SCENARIO_DIR, _REPO_SCENARIO_DIR) if d.is_dir()]


def shipped_scenarios() -> dict[str, Path]:
    """Shipped scenario names (file stems) and their files."""
    found: dict[str, Path] = {}
    for d in scenario_dirs():
        for p in sorted(d.glob("*.toml")):
            found.setdefault(p.stem, p)
    return dict(sorted(found.items()))


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A scenario from a path (contains ``/`` or ends in ``.toml``) or a shipped name."""
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or "/" in text or text.endswith(".toml"):
        path = Path(text)
    else:
        shipped = shipped_scenarios()
        if text not in shipped:
            hint = difflib.get_close_matches(text, list(shipped), n=1)
            extra = f"did you mean {hint[0]!r}? " if hint else ""
            raise ScenarioError(f"unknown scenario {text!r} ({extra}shipped: "
                                f"{', '.join(shipped) or 'none'})")
        path = shipped[text]
    try:
        data = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise ScenarioError(f"{text}: cannot read scenario: {reason}") from None
    return parse_scenario(data, source=text if "/" in text or text.endswith(".toml")
                          else str(path), default_name=path.stem)


def build_host(scenario: str | Path | Scenario) -> Host:
    """A fresh host from a shipped scenario's name, a TOML file's path, or a parsed Scenario."""
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(str(scenario))
    return sc.build_host()
