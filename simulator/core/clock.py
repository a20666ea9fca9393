"""The virtual clock: simulated seconds since the epoch, advanced only on purpose.

Nothing in svmsim sleeps for real. Commands cost a little virtual time, ``sleep`` in a driver
costs what it asks for, and a resync of terabytes costs nothing but a bigger number here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, tzinfo
from functools import lru_cache

DEFAULT_START = 1795600800.0   # Wed Nov 25 10:00:00 2026 UTC

# (from, before): the clock values a step of virtual time that stands for several may end at
# (``Host.merge_window``; each part of the host answers its own, ``Host.on_advance``)
StepWindow = tuple[float, float]
ALWAYS: StepWindow = (float("-inf"), float("inf"))     # a part that never tells steps apart


def zone(name: str) -> tzinfo:
    """The time zone ``name`` (UTC, GMT or an IANA name); LookupError/ValueError/OSError
    for one the machine's zone database does not have."""
    if name in ("UTC", "GMT"):
        return UTC
    from zoneinfo import ZoneInfo
    return ZoneInfo(name)


def known_timezone(name: str) -> bool:
    """Whether ``name`` is a time zone the host's clock can use (UTC, GMT or IANA)."""
    try:
        zone(name)
    except (ValueError, LookupError, OSError):
        return False
    return True


@dataclass
class VirtualClock:
    """Seconds since the epoch (UTC) on the simulated host."""

    now: float = DEFAULT_START
    timezone: str = "UTC"

    def ctime(self, when: float | None = None) -> str:
        """``Tue Jul 13 10:46:09 1999`` in the host's time zone, as ctime(3C) prints it."""
        return _ctime(self.timezone, self.now if when is None else when)

    def date(self, fmt: str | None = None) -> str:
        """What date(1) prints now (no newline): ``Sat Dec  5 08:47:30 UTC 2026`` by default
        (C locale), or strftime's ``+FORMAT`` with %Z the host's zone."""
        fmt = fmt or "%a %b %e %H:%M:%S %Z %Y"
        return time.strftime(fmt.replace("%Z", self.timezone), self.localtime(self.now))

    def localtime(self, when: float) -> time.struct_time:
        return _localtime(self.timezone, when)


def _localtime(timezone: str, when: float) -> time.struct_time:
    if timezone in ("UTC", "GMT", ""):
        return time.gmtime(when)
    try:
        from datetime import datetime
        from zoneinfo import ZoneInfo
        return datetime.fromtimestamp(when, ZoneInfo(timezone)).timetuple()
    except Exception:   # unknown zone: behave like an unset TZ on Solaris (GMT)
        return time.gmtime(when)


# a pure function of the zone and the time, asked again of the same few (ufsdump prints its
# date twice, and every host built from a scenario dumps at the date the others do)
@lru_cache(maxsize=64)
def _ctime(timezone: str, when: float) -> str:
    return time.strftime("%a %b %e %H:%M:%S %Y", _localtime(timezone, when))
