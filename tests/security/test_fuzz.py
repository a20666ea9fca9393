"""Fuzzers in the suite: every fake command with hostile argv, and mutated scenario files.

Issue 8 ("What must hold"): the in-process fuzz of every program in
``simulator.core.registry.PROGRAMS`` with at least 3,000 examples each (0 internal errors,
0 hangs, no exception out of ``Host.run``), and at least 100 mutations of the shipped
scenarios, each refused by ``svmsim init`` with exit 2 and one line naming the file and the
key (or accepted, when the mutation left a valid scenario), never a traceback or exit 70.
The probes they follow are in the hostile-driver report (shared/reports/hostile-probe-2b802bd.md,
sections 1a/1b and D10/D11).

Cheap on purpose: each example runs on a host reloaded from a saved dict of a shipped
scenario (``Host.from_dict``, a fraction of a millisecond), Hypothesis is derandomized and
keeps no database, and real files go to a jail under a temporary directory.

Non-UTF-8 bytes in argv arrive in Python as lone surrogates (surrogateescape). Decoding them
as bytes is another part of the issue (``simulator/core/invocation.py``); until it lands, an
example whose argv holds a lone surrogate is expected to be decoded by ``Host.run`` but may
still fail there, and is checked only for not hanging. :func:`surrogates_decoded` finds out
which is the case, so the same test is strict as soon as that part is merged.
"""

from __future__ import annotations

import os
import random
import re
import time
import tomllib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from simulator.cli import main as svmsim
from simulator.core.errors import HostHung
from simulator.core.files import FileAccess
from simulator.core.registry import PROGRAMS
from simulator.host import Host
from simulator.scenario import build_host, shipped_scenarios

EXAMPLES = 3000
MUTATIONS = 100
REAL_LIMIT = 10.0                   # seconds of real time one call may take
VIRTUAL_LIMIT = 30 * 86400.0        # the harness's own virtual time limit
# hosts the argv fuzz runs on: the shipped scenarios that reload in a fraction of a
# millisecond (the others carry a workload's history: milliseconds each, 3,000 times per
# command); between them a mirror, a root mirror, an erred component, stale replicas, 16 TB
FUZZ_SCENARIOS = ("seed-example", "two-way-mirror", "root-mirror", "last-erred",
                  "stale-metadb", "big-16tb")


class Jail(FileAccess):
    """Real files a fuzzed command opens, all under one directory (never the machine's)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def resolve(self, path: str, cwd: str) -> Path:
        full = os.path.normpath(os.path.join("/", cwd, path))
        safe = full.encode("utf-8", "replace").decode("utf-8").replace("\0", "_")
        return self.root / safe.lstrip("/")

    def open_write(self, path: str, cwd: str) -> BinaryIO:
        target = self.resolve(path, cwd)
        target.parent.mkdir(parents=True, exist_ok=True)
        return open(target, "wb")


@cache
def saved(name: str) -> dict[str, Any]:
    return build_host(name).to_dict()


@cache
def surrogates_decoded() -> bool:
    """Whether ``Host.run`` answers argv holding non-UTF-8 bytes (lone surrogates) as the real
    command would (another part of issue 8: simulator/core/invocation.py)."""
    host = Host.from_dict(saved("two-way-mirror"))
    try:
        res = host.run(["metastat", "d\udcff"])
    except Exception:
        return False
    return res.exit_code != 70 and not host.internal_errors


_SURROGATE = re.compile("[\ud800-\udfff]")


def has_surrogate(argv: list[str]) -> bool:
    return any(_SURROGATE.search(a) for a in argv)


# ---------------------------------------------------------------------------- argv fuzz
WORDS = [
    # options, including clusters and ones no command takes
    "-a", "-c", "-f", "-h", "-i", "-k", "-l", "-m", "-n", "-p", "-r", "-s", "-t", "-v", "-w",
    "-y", "-F", "-o", "-e", "-E", "-u", "-d", "-x", "-Z", "-:", "-?", "--", "--help", "-é",
    "-fc", "-pc", "-ih", "0f", "0uf", "0ucf", "tf", "rf", "xf", "S", "W", "w", "0aZ",
    # numbers
    "0", "1", "-1", "3", "9", "2147483648", "4294967296", "9" * 40, "0x10", "010", "1e999",
    "nan", "-1GB", "32k", "٣",
    # metadevices, pools, sets, slices, devices, tapes
    "d0", "d1", "d2", "d3", "d4", "d10", "d8192", "d-1", "dd1", "D1", "d1/../x", "hsp001",
    "hsp0001", "blue/d0", "c0t0d0s7", "c1t0d0s0", "c2t0d0s0", "c0t0d0s9", "c0t0d0s-1",
    "c0t0d0s07", "c4t600A0B800011A2B8000006E54C5F4C7Ed0s0", "c1t0d0s0/../../x",
    "/dev/md/dsk/d1", "/dev/md/rdsk/d1", "/dev/md/rdsk/d3", "/dev/dsk/c1t0d0s0",
    "/dev/rdsk/c1t0d0s2", "/dev/md/dsk/../../../etc/passwd", "/dev/rmt/0", "/dev/rmt/0n",
    "/dev/null", "/", "/home1", "/export/archive", "x.dump", "/backup/x.dump", "-", ".",
    "..", "ufs", "logging", "ro", "rw", "root", "all", "y", "n", "lock", "unlock",
    # shell metacharacters, control characters, quoting
    ";", "|", "&&", "$(id)", "`id`", "'", '"', "\\", "*", "?", "[", "~", "$HOME", ">", "<",
    "\n", "\t", "\x1b[2J", "\x7f", " ",
]
METACHARS = ";|&$`'\"\\*?[]{}()<>~#!\n\t\x1b\x7f "


def token(r: random.Random) -> str:
    """One argument: mostly a word (so that calls get past getopt into the checks), else
    arbitrary bytes (non-UTF-8 ones arrive as lone surrogates, as Python decodes argv),
    arbitrary text, shell metacharacters, a long string or nothing."""
    pick = r.random()
    if pick < 0.55:
        return r.choice(WORDS)
    if pick < 0.65:
        return r.choice(WORDS) + r.choice(WORDS)
    if pick < 0.75:
        raw = bytes(r.randrange(1, 256) for _ in range(r.randrange(1, 16)))
        return raw.decode("utf-8", "surrogateescape")
    if pick < 0.85:
        return "".join(chr(r.choice([r.randrange(1, 0x80), r.randrange(0x80, 0xD800),
                                     r.randrange(0xE000, 0x110000)]))
                       for _ in range(r.randrange(0, 12)))
    if pick < 0.93:
        return "".join(r.choice(METACHARS) for _ in range(r.randrange(1, 6)))
    if pick < 0.97:
        return r.choice("x/-d9") * r.randrange(1000, 100_000)
    return ""


def argv_from(program: str, seed: int) -> list[str]:
    """The argv a seed stands for (Hypothesis searches seeds: drawing lists of text costs
    it a few milliseconds an example, 31 commands x 3,000 examples too many)."""
    r = random.Random(seed)
    name = r.choice([program, program, f"/usr/sbin/{program}", f"/sbin/{program}"])
    return [name] + [token(r) for _ in range(r.randrange(0, 6))]


def run_bounded(host: Host, argv: list[str], stdin: bytes, uid: int, files: FileAccess) -> int:
    """One call: no exception out of Host.run, small real and virtual time; its exit status."""
    t0, v0 = time.monotonic(), host.clock.now
    try:
        code = host.run(argv, stdin=stdin, uid=uid, cwd="/", files=files).exit_code
    except HostHung:
        code = 124          # the real command hung the host (lockfs -w /): not an error
    real, virtual = time.monotonic() - t0, host.clock.now - v0
    assert real < REAL_LIMIT, f"{argv!r} took {real:.1f} s"
    assert virtual < VIRTUAL_LIMIT, f"{argv!r} took {virtual:.0f} virtual seconds"
    return code


@pytest.mark.parametrize("program", sorted(PROGRAMS))
def test_every_command_survives_hostile_argv(program: str, tmp_path: Path) -> None:
    """Arbitrary text in argv (options, names, numbers, shell metacharacters, long strings,
    non-UTF-8 bytes), as root or not, on a fresh host of a shipped scenario, then a second
    call on the same host one time in four: never an exception out of Host.run, never exit
    70 or a recorded internal error, every call within REAL_LIMIT and
    VIRTUAL_LIMIT (report 1a/1b)."""
    jail = Jail(tmp_path)
    strict_surrogates = surrogates_decoded()
    calls = 0

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(seed=st.integers(0, 2**64))
    def one(seed: int) -> None:
        nonlocal calls
        calls += 1
        argv = argv_from(program, seed)
        r = random.Random(~seed)
        scenario = r.choice(FUZZ_SCENARIOS)
        uid = r.choice([0, 0, 0, 100])
        stdin = r.choice([b"", b"n\n", b"yes\n", b"\xff\xfe\n", b"q\n"])
        again = r.random() < 0.25
        note(f"{scenario} uid={uid} stdin={stdin!r} again={again} argv={argv!r}")
        host = Host.from_dict(saved(scenario))
        lenient = not strict_surrogates and has_surrogate(argv)
        try:
            codes = [run_bounded(host, argv, stdin, uid, jail)]
            if again and not host.hung_reason:          # again, on what it left
                codes.append(run_bounded(host, argv, stdin, uid, jail))
        except AssertionError:
            raise
        except Exception:
            if lenient:
                return      # expected once argv is decoded as bytes (invocation.py)
            raise
        if lenient:
            return
        unexplained = list(host.internal_errors)
        assert not unexplained, unexplained[0]
        assert 70 not in codes or host.internal_errors, codes

    one()
    assert calls >= EXAMPLES


# ---------------------------------------------------------------------------- scenarios
def leaves(doc: Any, where: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path of a parsed TOML document (tables and array items walked)."""
    out = [where] if where else []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += leaves(v, where + (k,))
    elif isinstance(doc, list) and doc and all(isinstance(x, dict) for x in doc):
        for i, v in enumerate(doc):
            out += leaves(v, where + (i,))
    return out


def shown(path: tuple[Any, ...], doc: dict[str, Any]) -> str:
    """How the scenario format names a key path: ``disk[0].size``, ``setup.advance``."""
    text = ""
    for i, p in enumerate(path):
        if isinstance(p, int):
            if not (path[0] == "setup" and isinstance(doc.get("setup"), dict)):
                text += f"[{p}]"
        else:
            text += f".{p}" if i else str(p)
    return text


def get(doc: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        doc = doc[p]
    return doc


def put(doc: Any, path: tuple[Any, ...], value: Any) -> None:
    get(doc, path[:-1])[path[-1]] = value


DEEP = object()                     # a value nested 100,000 arrays deep, written as text
HUGE_DIGITS = object()              # an integer of 5,000 digits, written as text

# what each mutation does to a key, and whether the result must be refused (given the old
# value: a description may be any text, a size may not be 400 digits)
def _numeric(v: Any) -> bool:
    return not isinstance(v, bool) and (isinstance(v, int | float) or
                                        (isinstance(v, str) and v[:1].isdigit()))


MUTATIONS_BY_KIND: list[tuple[str, Callable[[Any], Any], Callable[[Any], bool]]] = [
    ("retype-table", lambda v: {"x": 1}, lambda v: True),
    ("retype-array", lambda v: [[v]], lambda v: True),
    ("retype-bool", lambda v: True if not isinstance(v, bool) else "yes", lambda v: True),
    ("huge", lambda v: "9" * 400 + v.lstrip("0123456789.") if isinstance(v, str) else 10**30,
     _numeric),
    ("nan", lambda v: float("nan"), lambda v: True),
    ("inf", lambda v: float("-inf"), lambda v: True),
    ("deep", lambda v: DEEP, lambda v: True),
    ("digits", lambda v: HUGE_DIGITS, lambda v: True),
    ("negative", lambda v: -(10**18), lambda v: False),
    ("empty", lambda v: "", lambda v: False),
]


def toml_text(doc: dict[str, Any]) -> str:
    from simulator.scenario.schema import to_toml
    text = to_toml(doc)
    text = text.replace('"@DEEP@"', "[" * 100_000 + "]" * 100_000)
    return text.replace('"@DIGITS@"', "9" * 5000)


def mutants() -> list[tuple[str, str, str | None]]:
    """(name, TOML text, key that must be named or None) for >= MUTATIONS mutations of the
    shipped scenarios: every kind applied in turn to every key, plus dropped, duplicated
    and misplaced tables."""
    out: list[tuple[str, str, str | None]] = []
    k = 0
    for name, path in shipped_scenarios().items():
        base = tomllib.loads(path.read_text())
        for i, key in enumerate(leaves(base)):
            if isinstance(key[-1], int):
                continue
            doc = tomllib.loads(path.read_text())
            kind, mutate, must_refuse = MUTATIONS_BY_KIND[k % len(MUTATIONS_BY_KIND)]
            k += 1
            old = get(doc, key)
            value = mutate(old)
            refused = must_refuse(old)
            if isinstance(old, dict) and kind in ("retype-table",):
                continue
            marker = "@DEEP@" if value is DEEP else "@DIGITS@" if value is HUGE_DIGITS \
                else None
            put(doc, key, marker if marker is not None else value)
            must = shown(key, base) if refused and not (kind == "retype-bool" and
                                                         isinstance(old, bool)) else None
            out.append((f"{name}-{i}-{kind}", toml_text(doc), must))
        doc = tomllib.loads(path.read_text())
        for table in [t for t, v in doc.items() if isinstance(v, list)][:2]:
            dropped = {t: v for t, v in doc.items() if t != table}
            out.append((f"{name}-drop-{table}", toml_text(dropped), None))
            doubled = dict(doc)
            doubled[table] = doc[table] + doc[table]
            out.append((f"{name}-duplicate-{table}", toml_text(doubled), None))
            single = dict(doc)
            single[table] = doc[table][0]
            out.append((f"{name}-not-array-{table}", toml_text(single), table))
    return out


MUTANTS = mutants()
KEY_LINE = re.compile(r"^svmsim: (?P<file>[^:]+): (?P<key>[^:]+): (?P<problem>.+)$")


def test_there_are_enough_mutations() -> None:
    """At least 100 mutations (issue 8, "What must hold")."""
    assert len(MUTANTS) >= MUTATIONS


@pytest.mark.parametrize("name, text, key", MUTANTS, ids=[m[0] for m in MUTANTS])
def test_a_mutated_scenario_is_refused_in_one_line(name: str, text: str, key: str | None,
                                                   tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """``svmsim init`` on a mutated shipped scenario: exit 0 (still valid) or exit 2 with
    exactly one line ``svmsim: FILE: KEY: problem``, the mutated key named when the mutation
    must be refused; never exit 70 or a traceback; a few seconds at most (report D10/D11)."""
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    t0 = time.monotonic()
    code = svmsim(["init", "--scenario", str(path), "--state", str(tmp_path / "s"), "-q"])
    took = time.monotonic() - t0
    err = capsys.readouterr().err
    assert took < 5.0
    assert code in (0, 2), err
    if key is not None:
        assert code == 2, f"accepted although {key} was mutated"
    if code == 0:
        assert err == ""
        return
    lines = err.splitlines()
    assert len(lines) == 1, err
    m = KEY_LINE.match(lines[0])
    assert m is not None and m.group("file") == str(path), lines[0]
    if key is not None:
        assert m.group("key").startswith(key.split(".")[0].split("[")[0]), lines[0]
        assert key in lines[0], lines[0]
