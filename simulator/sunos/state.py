"""What the SunOS programs change on a host: PROM variables set with ``eeprom`` and mail.

Kept beside the host, not in it: :func:`state_of` holds one :class:`SunosState` per
:class:`~simulator.host.Host` in a ``WeakKeyDictionary`` (it lives as long as the host and is
not saved with the host's state). Nothing is ever sent: ``mailx``/``sendmail`` only record the
message here, where tests and reports read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

if TYPE_CHECKING:
    from simulator.host import Host


@dataclass
class MailMessage:
    """One message handed to ``mailx`` or ``sendmail``: who ran it, for whom, and the text."""

    program: str
    recipients: list[str]
    subject: str | None
    body: str
    time: float


@dataclass
class SunosState:
    """PROM variables set on this host (name -> value) and the mail handed over so far."""

    eeprom: dict[str, str] = field(default_factory=dict)
    mail: list[MailMessage] = field(default_factory=list)


_STATES: WeakKeyDictionary[Host, SunosState] = WeakKeyDictionary()


def state_of(host: Host) -> SunosState:
    """The SunOS state of ``host`` (created empty on first use)."""
    state = _STATES.get(host)
    if state is None:
        state = _STATES[host] = SunosState()
    return state


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
