"""Reading scenarios: TOML text or a file to a validated Scenario, and the shipped scenarios.

A name without ``/`` and not ending in ``.toml`` is a shipped scenario (``seed-example``);
an unknown one gets "did you mean" (difflib) and the list of shipped names. Shipped scenarios
live in ``scenarios/`` at the top of a checkout and inside an installed package.

A scenario file is input from anyone, so it is read within bounds before it is parsed: a
regular file (a FIFO, a device or a directory is refused, never read: ``/dev/zero`` or a
FIFO would never end), at most ``MAX_SCENARIO_BYTES``, arrays and tables nested at most
``MAX_DEPTH`` deep, and numbers tomllib can convert; each problem is one line naming the
file (and the key when there is one).
"""

from __future__ import annotations

import difflib
import os
import re
import stat
import tomllib
from pathlib import Path
from typing import Any

from simulator.scenario.refs import check_references
from simulator.scenario.schema import (
    MAX_DEPTH,
    MAX_SCENARIO_BYTES,
    Scenario,
    ScenarioError,
    validate_document,
)

_TABLE_RE = re.compile(r"^\s*\[\[?\s*([^\]]*?)\s*\]\]?\s*(?:#.*)?$")
_ASSIGN_RE = re.compile(r"^\s*([A-Za-z0-9_\-.\"' ]+?)\s*=\s*(.*)$")
_LONG_DIGITS = re.compile(r"[0-9_]{4000,}")

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"      # in a wheel
_REPO_SCENARIO_DIR = Path(__file__).resolve().parent.parent.parent / "scenarios"  # a checkout


def parse_scenario(data: str | dict[str, Any], source: str = "<scenario>",
                   default_name: str = "scenario") -> Scenario:
    """Validate a scenario (TOML text or an already parsed document) and return it."""
    if isinstance(data, str):
        text = data
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise ScenarioError(f"{source}: TOML syntax error: {e}") from None
        except (RecursionError, ValueError, OverflowError):
            raise ScenarioError(f"{source}: {_culprit(text)}") from None
    deep = too_deep(data)
    if deep is not None:
        raise ScenarioError(f"{source}: {deep}: arrays and tables nest more than {MAX_DEPTH} "
                            "deep")
    sc = validate_document(data, source, default_name)
    check_references(sc)
    return sc


def too_deep(data: object) -> str | None:
    """The key path of the first value nested more than MAX_DEPTH arrays and tables deep
    (``stripe[0].rows[0]`` is 4 deep), or None; iterative, so any depth is safe."""
    stack: list[tuple[object, str, int]] = [(data, "", 0)]
    while stack:
        value, where, depth = stack.pop()
        if isinstance(value, dict):
            items = [(f"{where}.{k}" if where else str(k), v) for k, v in value.items()]
        elif isinstance(value, list):
            items = [(f"{where}[{i}]", v) for i, v in enumerate(value)]
        else:
            continue
        if depth > MAX_DEPTH:
            return where
        stack += [(v, w, depth + 1) for w, v in reversed(items)]
    return None


def _culprit(text: str) -> str:
    """``key: problem`` for a document tomllib could not take although its syntax is fine
    (arrays nested thousands deep: RecursionError; an integer of more than 4300 digits:
    ValueError). A light scan of the assignments finds the key: a value whose brackets nest
    more than MAX_DEPTH deep, or holds such a run of digits."""
    table, key, depth = "", "", 0
    arrays: dict[str, int] = {}         # [[name]] tables seen so far: name -> count
    for line in text.splitlines():
        value = line
        if depth == 0:
            header = _TABLE_RE.match(line)
            if header and "=" not in line:
                name = header.group(1).strip()
                if line.lstrip().startswith("[["):
                    arrays[name] = arrays.get(name, 0) + 1
                head, _, rest = name.partition(".")
                table = f"{head}[{arrays[head] - 1}]" if head in arrays else head
                table += f".{rest}" if rest else ""
                continue
            assign = _ASSIGN_RE.match(line)
            if assign is None:
                continue
            key = f"{table}.{assign.group(1).strip()}" if table else assign.group(1).strip()
            value = assign.group(2)
        if _LONG_DIGITS.search(value):
            return f"{key}: a number with thousands of digits (too large)"
        for c in re.sub(r'"[^"]*"|\'[^\']*\'|#.*', "", value):
            depth += c in "[{"
            depth -= c in "]}"
            if depth > MAX_DEPTH:
                return f"{key}: arrays and tables nest more than {MAX_DEPTH} deep"
        depth = max(depth, 0)
    return f"TOML: arrays and tables nest more than {MAX_DEPTH} deep, or a number is too large"


def read_scenario_file(path: Path, shown: str) -> str:
    """The text of a scenario file: a regular file of at most MAX_SCENARIO_BYTES, UTF-8.

    Opened without blocking (a FIFO's open would wait for a writer) and checked with fstat
    before a byte is read."""
    def refuse(reason: str) -> ScenarioError:
        return ScenarioError(f"{shown}: cannot read scenario: {reason}")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as e:
        raise refuse(e.strerror or str(e)) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            what = "a directory" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) \
                else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket"
            raise refuse(f"not a regular file (it is {what})")
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_SCENARIO_BYTES:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as e:
        raise refuse(e.strerror or str(e)) from None
    finally:
        os.close(fd)
    if size > MAX_SCENARIO_BYTES:
        raise refuse(f"larger than {MAX_SCENARIO_BYTES >> 20} MB")
    try:
        return b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError as e:
        raise refuse(str(e)) from None


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
    data = read_scenario_file(path, text)
    return parse_scenario(data, source=text if "/" in text or text.endswith(".toml")
                          else str(path), default_name=path.stem)
