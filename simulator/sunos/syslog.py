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
when a hot spare replaces a component), md.c md_snarf (``md: state database is stale``, when the
replicas found at boot are not a majority). A text no format below matches (decided) is logged
by module ``md`` with the hash of its own text.

A panic and the reboot after it (:func:`panic_lines`, :func:`savecore_line`): the kernel's
message buffer survives the panic and syslogd writes it after the boot (decided: stamped with
the boot time, as the lines a real host shows are), so the messages file gets, from
uts/common/os/panic.c panicsys, ``printf("\npanic[cpu%d]/thread=%p: ", ...)`` (module
``unix``; the leading newline makes an empty first line, the second starts with the carriage
return syslogd shows as ``^M``) and the panic string (its format's ID; each further line of a
multi-line string as a line of its own), then cmd/savecore/savecore.c's
``logprint(..., "reboot after panic: %s", panicstr)`` (``savecore``, facility auth, LOG_ERR:
``auth.error``; the newlines of the string are blanks there). A clean reboot (``init 6``)
logs cmd/syslogd/syslogd.c's ``syslogd: going down on signal 15`` (no ID) when it stops.
The disk under a failed component speaks first (:func:`sd_error_lines`): illumos
uts/common/io/scsi/impl/scsi_subr.c scsi_vu_errmsg, through v_scsi_log's
``cmn_err(level, "%s\t%s", name, buf)`` (module ``scsi``, msgid 107833, the hash of that
format): a warning ``WARNING: <physical path> (sd<instance>):`` whose second line is the
``Error for Command: write(10) ... Error Level: Fatal`` column (padded to 42, as
SCSI_ERRMSG_COLUMN_LEN), then the notices ``Requested Block``/``Error Block``, ``Vendor``/
``Serial Number`` (the inquiry's, 8 and 12 characters), ``Sense Key: Media Error`` and
``ASC: 0x11 (unrecovered read error), ASCQ: 0x0, FRU: 0x0`` (``0xc (write error)`` for a
write), each a line of its own with its leading tab. Decided: one Fatal report per failed
request (the Retryable reports of sd's retries before it are not logged), and the block is a
fixed one inside the slice (the model does not place the failing sector).

The boot banner and the rest of the boot messages are not simulated.
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
    KernelFormat("md", "md: state database is stale",
                 re.compile(r"^md: state database is stale$")),
)
PANIC_THREAD = "2a100a5fd20"     # the kernel thread address panic.c prints (decided: fixed)
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


def panic_lines(message: str) -> list[str]:
    """The messages lines of a panic (the part after the host name; module docstring)."""
    first, *rest = message.split("\n")
    fmt = message.replace("%", "%%")
    return [f"unix: [ID {strlog_msgid('panic[cpu%d]/thread=%p: ')} kern.notice] ",
            f"^Mpanic[cpu0]/thread={PANIC_THREAD}: ",
            f"unix: [ID {strlog_msgid(fmt)} kern.notice] {first}", *rest]


def savecore_line(message: str) -> str:
    """savecore's line at the boot after a panic (module docstring)."""
    text = " ".join(message.split("\n"))
    return f"savecore: [ID {strlog_msgid('reboot after panic: %s')} auth.error] " \
           f"reboot after panic: {text}"


SHUTDOWN_LINE = "syslogd: going down on signal 15"


SD_MSGID = strlog_msgid("%s\t%s")      # v_scsi_log's cmn_err format: 107833
SCSI_COLUMN = 42                        # SCSI_ERRMSG_COLUMN_LEN
_ASC = {"read": "ASC: 0x11 (unrecovered read error), ASCQ: 0x0, FRU: 0x0",
        "write": "ASC: 0xc (write error), ASCQ: 0x0, FRU: 0x0"}


def _column(left: str, right: str) -> str:
    """scsi_vu_errmsg's two columns: the left padded to 42, a blank, the right."""
    return f"{left:<{SCSI_COLUMN}} {right}" if len(left) < SCSI_COLUMN else f"{left} {right}"


def sd_error_lines(host: Host, device: str, op: str) -> list[str]:
    """The messages lines (after the host name) sd writes when a request to the disk under
    slice ``device`` fails (module docstring); none for a name that is no disk's slice."""
    from simulator.core.names import split_slice
    from simulator.sunos.disks import disk_key, inquiry, physical_path
    parsed = split_slice(device)
    disk = host.disks.get(parsed[0]) if parsed else None
    if disk is None or parsed is None:
        return []
    instance = sorted(host.disks, key=disk_key).index(disk.name)
    sl = disk.slices.get(parsed[1])
    block = (sl.start if sl is not None else 0) + 2048 + 16 * instance
    inq = inquiry(disk)
    notice = f"scsi: [ID {SD_MSGID} kern.notice] \t"
    return [f"scsi: [ID {SD_MSGID} kern.warning] WARNING: {physical_path(disk.name)} "
            f"(sd{instance}):",
            "\t" + _column(f"Error for Command: {op}(10)", "Error Level: Fatal"),
            notice + _column(f"Requested Block: {block}", f"Error Block: {block}"),
            notice + _column(f"Vendor: {inq.vendor:<8}", f"Serial Number: {inq.serial[:12]}"),
            notice + "Sense Key: Media Error",
            notice + _ASC.get(op, _ASC["write"])]


def messages_text(host: Host) -> str:
    """``/var/adm/messages`` of ``host``: one line per event the md driver logged, the sd
    driver's report of each failed disk request before them, and the lines of panics and
    reboots (``host.sunos.syslog``), in time order."""
    def stamp(t: float) -> str:
        return host.clock.ctime(t)[4:19]
    entries = [(e.time, -1, i * 16 + j, f"{stamp(e.time)} {host.hostname} {line}")
               for i, e in enumerate(host.md.disk_errors)
               for j, line in enumerate(sd_error_lines(host, e.device, e.op))]
    entries += [(e.time, 0, i, kernel_line(stamp(e.time), host.hostname, e.text))
                for i, e in enumerate(host.md.events)]
    entries += [(x.time, 1, i, f"{stamp(x.time)} {host.hostname} {x.text}")
                for i, x in enumerate(host.sunos.syslog)]
    return "".join(line + "\n" for *_, line in sorted(entries, key=lambda e: e[:3]))
