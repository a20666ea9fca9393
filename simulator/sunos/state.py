"""What the SunOS programs change on a host: PROM variables set with ``eeprom`` and mail.

A typed part of the host, ``host.sunos`` (built in :class:`~simulator.host.Host`'s constructor,
saved and loaded with the host's state, so that ``eeprom boot-device=...`` in one ``svmsim
exec`` is still set in the next). Nothing is ever sent: ``mailx``/``sendmail`` only record the
message here, where tests and reports read it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class MailMessage:
    """One message handed to ``mailx`` or ``sendmail``: who ran it, for whom, and the text."""

    program: str
    recipients: list[str]
    subject: str | None
    body: str
    time: float

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MailMessage:
        return cls(program=str(d["program"]), recipients=[str(r) for r in d["recipients"]],
                   subject=d.get("subject"), body=str(d["body"]), time=float(d["time"]))


@dataclass
class SyslogLine:
    """A ``/var/adm/messages`` line other than the md driver's: at virtual ``time``, the part
    after the host name (``savecore: [ID 570001 auth.error] reboot after panic: ...``), as
    :mod:`simulator.sunos.syslog` builds it."""

    time: float
    text: str


@dataclass
class SunosState:
    """PROM variables set on this host (name -> value), the mail handed over so far, the
    syslog lines of panics and reboots, the panic string savecore reports at the next boot,
    and how many times the host booted since the run's state was made."""

    eeprom: dict[str, str] = field(default_factory=dict)
    mail: list[MailMessage] = field(default_factory=list)
    syslog: list[SyslogLine] = field(default_factory=list)
    pending_panic: str | None = None
    boots: int = 0

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"eeprom": dict(self.eeprom), "mail": [asdict(m) for m in self.mail]}
        if self.syslog or self.pending_panic is not None or self.boots:
            d.update(syslog=[asdict(x) for x in self.syslog], pending_panic=self.pending_panic,
                     boots=self.boots)
        return d

    def load_dict(self, d: dict[str, Any]) -> None:
        """Take the state saved by :meth:`to_dict` (empty for states saved before it)."""
        self.eeprom = {str(k): str(v) for k, v in d.get("eeprom", {}).items()}
        self.mail = [MailMessage.from_dict(m) for m in d.get("mail", [])]
        self.syslog = [SyslogLine(float(x["time"]), str(x["text"])) for x in d.get("syslog", [])]
        pending = d.get("pending_panic")
        self.pending_panic = None if pending is None else str(pending)
        self.boots = int(d.get("boots", 0))


def header_recipients(text: str) -> tuple[list[str], str | None]:
    """The To:/Cc:/Bcc: addresses and the Subject: of a message's header block."""
    rcpts: list[str] = []
    subject = None
    for line in text.split("\n"):
        if not line.strip():
            break
        name, _, value = line.partition(":")
        if name.lower() in ("to", "cc", "bcc"):
            rcpts += [a.strip() for a in value.split(",") if a.strip()]
        elif name.lower() == "subject":
            subject = value.strip()
    return rcpts, subject
