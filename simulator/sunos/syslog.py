"""``/var/adm/messages``: what the md driver logged, as syslogd writes it.

The model records each console message the kernel would print (``host.md.events``: time and
text, e.g. ``WARNING: md: d10: c1t1d0s0 needs maintenance``). A line of the messages file is
``Mon dd hh:mm:ss <host> <module>: [ID <msgid> kern.<level>] <text>``:

- the time: syslogd's ``%.15s`` of ctime (the host's virtual clock, in its time zone);
- ``<module>: [ID <msgid> FACILITY_AND_PRIORITY]``: illumos common/os/printf.c cprintf, with
  ``mod_containing_pc`` the kernel module that called cmn_err and ``msgid`` the
  STRLOG_MAKE_MSGID hash (uts/common/sys/strlog.h) of cmn_err's *format* string, not of the
  text; syslogd replaces FACILITY_AND_PRIORITY with ``kern.warning``/``kern.notice``;
- the text: cmn_err's ``WARNING: ``/``NOTICE: `` prefix (printf.c ce_prefix) and the message.

The formats are those of the md driver's cmn_err calls: mirror.c set_sm_comp_state
(``md: %s: %s needs maintenance``, ``md: %s: %s last erred``), mirror_resync.c
(``md: %s: Resync cancelled``), stripe.c (``md: %s: hotspared device %s with %s``, CE_NOTE,
when a hot spare replaces a component). A text no format below matches (decided) is logged by
module ``md`` with the hash of its own text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.host import Host


def strlog_msgid(fmt: str) -> int:
    """STRLOG_MAKE_MSGID (sys/strlog.h): the message ID syslog shows for a format string."""
    msgid = 0
    for c in fmt.encode():
        if c >= 0x20:
            msgid = ((msgid >> 5) + (msgid << 27) + c) & 0xFFFFFFFF
    return msgid % 899981 + 100000


@dataclass(frozen=True)
class KernelFormat:
    """One cmn_err call: the module it is in, its format, and how the logged text reads."""

    module: str
    fmt: str
    pattern: re.Pattern[str]


_FORMATS = (
    KernelFormat("md_mirror", "md: %s: %s needs maintenance",
                 re.compile(r"^md: \S+: \S+ needs maintenance$")),
    KernelFormat("md_mirror", "md: %s: %s last erred",
                 re.compile(r"^md: \S+: \S+ last erred$")),
    KernelFormat("md_mirror", "md: %s: Resync cancelled",
                 re.compile(r"^md: \S+: Resync cancelled$")),
    KernelFormat("md_stripe", "md: %s: hotspared device %s with %s",
                 re.compile(r"^md: \S+: hotspared device \S+ with \S+$")),
)
_LEVELS = {"WARNING: ": "warning", "NOTICE: ": "notice"}


def kernel_line(stamp: str, hostname: str, text: str) -> str:
    """One messages line for a console text (``WARNING: md: d10: ... needs maintenance``)."""
    level, body = "notice", text
    for prefix, name in _LEVELS.items():
        if text.startswith(prefix):
            level, body = name, text[len(prefix):]
            break
    fmt = next((f for f in _FORMATS if f.pattern.match(body)), None)
    module, msgid = (fmt.module, strlog_msgid(fmt.fmt)) if fmt else ("md", strlog_msgid(body))
    return f"{stamp} {hostname} {module}: [ID {msgid} kern.{level}] {text}"


def messages_text(host: Host) -> str:
    """``/var/adm/messages`` of ``host``: one line per event the md driver logged."""
    lines = [kernel_line(host.clock.ctime(e.time)[4:19], host.hostname, e.text)
             for e in host.md.events]
    return "".join(line + "\n" for line in lines)
