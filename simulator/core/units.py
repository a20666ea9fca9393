"""Sizes, durations and rates written the way people write them in scenario files and CLIs.

Sizes come back as 512-byte blocks (what SVM counts in), durations as seconds, rates as
blocks per second. Multipliers are binary (1k = 1024 bytes), as Solaris tools use them.
Every parser raises :class:`ValueError` with a one-line message saying what was expected.

Bounds (what the model can represent; decided here, the sources say only what the types are):

- a size is at most :data:`MAX_BLOCKS` blocks, ``(2**63 - 1) // 512``: a device's byte
  offsets are an ``off_t`` (64-bit signed, sys/types.h), so no device, slice, metadevice or
  file system can be larger (``"999...9TB"`` with 400 digits is refused, not overflowed);
- a duration is at most :data:`MAX_SECONDS`, ``2**31 - 1`` seconds: UFS and ufsdump keep
  times as 32-bit ``time32_t`` (ufs_inode.h ``ic_mtime``, dumprestore.h ``c_date``), so no
  span of a simulated host's life is longer;
- a rate is at most :data:`MAX_BLOCKS` blocks per second (the whole of the largest device in
  one second);
- a number is finite (``nan`` and ``inf`` are refused) and written with at most
  :data:`MAX_DIGITS` digits (more cannot be within the bounds anyway).
"""

from __future__ import annotations

import math
import re

BLOCK = 512
MAX_BLOCKS = (2**63 - 1) // BLOCK       # off_t: the largest byte offset of a device
MAX_SECONDS = 2**31 - 1                  # time32_t: the longest span UFS and ufsdump record
MAX_DIGITS = 40

# suffix (lower case) -> bytes; "b"/"blocks" are 512-byte blocks, as in metainit's "-i 32b"
_SIZE_UNITS: dict[str, int] = {
    "b": BLOCK, "blk": BLOCK, "blks": BLOCK, "block": BLOCK, "blocks": BLOCK,
    "byte": 1, "bytes": 1,
    "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10,
    "m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20,
    "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30,
    "t": 1 << 40, "tb": 1 << 40, "tib": 1 << 40,
    "p": 1 << 50, "pb": 1 << 50, "pib": 1 << 50,
}
_DURATION_UNITS: dict[str, float] = {
    "ms": 0.001, "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400, "w": 604800, "week": 604800, "weeks": 604800,
}
_NUMBER = r"(\d+(?:\.\d*)?|\.\d+)"
_SIZE_RE = re.compile(rf"^{_NUMBER}\s*([a-z]*)$")
_DURATION_PART_RE = re.compile(rf"{_NUMBER}\s*([a-z]*)\s*")
_RATE_RE = re.compile(r"^(.*?)\s*/\s*(s|sec|second)$")


def _number(value: object, what: str) -> float | None:
    """A plain number (not a bool) as float; None when ``value`` is not one."""
    if isinstance(value, bool):
        raise ValueError(f"{what} must be a number or a string, not a boolean")
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{what} must be a finite number (got {value!r})")
        if value < 0:
            raise ValueError(f"{what} must not be negative (got {value!r})")
        if isinstance(value, int) and value > 2**64:
            raise ValueError(f"{what} is too large (got {_short(value)})")
        return float(value)
    return None


def _short(value: object) -> str:
    """A value for a message: a huge number is shortened (``999...999 (400 digits)``)."""
    text = repr(value)
    if len(text) <= MAX_DIGITS:
        return text
    digits = sum(c.isdigit() for c in text)
    return f"{text[:6]}...{text[-6:]} ({digits} digits)" if digits > MAX_DIGITS \
        else f"{text[:MAX_DIGITS]}..."


def _digits(number: str, value: object, what: str) -> float:
    """A number as written in a size, duration or rate, within :data:`MAX_DIGITS` digits."""
    if len(number) > MAX_DIGITS:
        raise ValueError(f"{what} is too large (got {_short(value)})")
    return float(number)


def _blocks(n: float, value: object) -> int:
    """A size in blocks within :data:`MAX_BLOCKS`."""
    if n > MAX_BLOCKS:
        raise ValueError(f"size is larger than {MAX_BLOCKS} blocks, the most a device "
                         f"can address (off_t) (got {_short(value)})")
    return math.ceil(n)


def parse_size(value: object) -> int:
    """``"36GB"``, ``"512k"``, ``"32b"`` (blocks), ``"2TB"`` or a number of blocks -> blocks.

    A fraction of a block is rounded up (a size is room that must be there).
    """
    n = _number(value, "size")
    if n is not None:
        if isinstance(value, float) and n != int(n):
            raise ValueError(f"size in blocks must be a whole number (got {value!r})")
        if isinstance(value, int):
            return _blocks(n, value) if value > MAX_BLOCKS else value
        return _blocks(n, value)
    if not isinstance(value, str):
        raise ValueError(f"size must be a number of blocks or a string like '36GB' "
                         f"(got {value!r})")
    m = _SIZE_RE.match(value.strip().lower())
    if not m:
        raise ValueError(f"not a size: {_short(value)} (expected e.g. '36GB', '512k', "
                         "'2TB', '32b' or a number of blocks)")
    unit = m.group(2) or "b"
    if unit not in _SIZE_UNITS:
        raise ValueError(f"unknown size unit {m.group(2)!r} in {value!r} "
                         "(use b, k, KB, MB, GB, TB or PB)")
    return _blocks(_digits(m.group(1), value, "size") * _SIZE_UNITS[unit] / BLOCK, value)


def parse_duration(value: object) -> float:
    """``"30s"``, ``"5m"``, ``"2h"``, ``"1h30m"``, ``"1d"`` or a number of seconds -> seconds."""
    n = _number(value, "duration")
    if n is not None:
        return _seconds(n, value)
    if not isinstance(value, str):
        raise ValueError(f"duration must be a number of seconds or a string like '5m' "
                         f"(got {value!r})")
    text = value.strip().lower()
    pos, total = 0, 0.0
    while pos < len(text):
        m = _DURATION_PART_RE.match(text, pos)
        if not m:
            break
        if not m.group(2) and (pos or m.end() != len(text)):
            raise ValueError(f"not a duration: {value!r} (every part of a compound "
                             "duration needs a unit, e.g. '1h30m')")
        unit = m.group(2) or "s"
        if unit not in _DURATION_UNITS:
            raise ValueError(f"unknown duration unit {m.group(2)!r} in {value!r} "
                             "(use ms, s, m, h, d or w)")
        total += _digits(m.group(1), value, "duration") * _DURATION_UNITS[unit]
        pos = m.end()
    if not text or pos != len(text):
        raise ValueError(f"not a duration: {_short(value)} (expected e.g. '30s', '5m', "
                         "'2h', '1h30m' or a number of seconds)")
    return _seconds(total, value)


def _seconds(n: float, value: object) -> float:
    if n > MAX_SECONDS:
        raise ValueError(f"duration is longer than {MAX_SECONDS} seconds (68 years, what a "
                         f"32-bit time_t spans) (got {_short(value)})")
    return n


def parse_rate(value: object) -> float:
    """``"20MB/s"`` (any size per second) or a number of blocks per second -> blocks/s."""
    n = _number(value, "rate")
    if n is not None:
        return _per_second(n, value)
    if not isinstance(value, str):
        raise ValueError(f"rate must be a number of blocks per second or a string like "
                         f"'20MB/s' (got {value!r})")
    m = _RATE_RE.match(value.strip().lower())
    if not m:
        raise ValueError(f"not a rate: {_short(value)} (expected e.g. '20MB/s' or a number "
                         "of blocks per second)")
    size = m.group(1)
    sm = _SIZE_RE.match(size)
    if not sm or (sm.group(2) or "b") not in _SIZE_UNITS:
        raise ValueError(f"not a rate: {_short(value)} (expected e.g. '20MB/s')")
    n = _digits(sm.group(1), value, "rate") * _SIZE_UNITS[sm.group(2) or "b"] / BLOCK
    return _per_second(n, value)


def _per_second(n: float, value: object) -> float:
    if n > MAX_BLOCKS:
        raise ValueError(f"rate is more than {MAX_BLOCKS} blocks per second (got "
                         f"{_short(value)})")
    return n

