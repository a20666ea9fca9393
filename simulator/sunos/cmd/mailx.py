"""mailx(1): send mail, recorded on the host and never sent (usr/src/cmd/mailx/main.c).

Sending (recipients on the command line, or ``-t``): the message is standard input (collect.c
reads to end of file when stdin is not a terminal); it is kept in the host's SunOS state
(``host.sunos``, :mod:`simulator.sunos.state`) with its subject (``-s``) and recipients, exit 0.
Reading (no recipients): the mailbox is not modelled, so it does not exist and mailx says
``No mail for <user>`` (lex.c setfile), exit 1; ``-e`` (is there mail?) exits 1 silently.
Option errors follow main(): getopt's message, then the two usage lines, exit 1.
"""

from __future__ import annotations

from simulator.core.coverage import Coverage
from simulator.core.invocation import Invocation
from simulator.core.libc import sun_getopt
from simulator.sunos.state import MailMessage, header_recipients

NAME = "mailx"
OPTSTRING = "b:Bc:defFh:HiInNr:s:u:UtT:vV~"
SEND_ONLY = "bBcdFhnNrsTtvVU~"       # flags that set mustsend in main.c (decided subset)


COVERAGE = Coverage(
    source=("usr/src/cmd/mailx/main.c",),
    getopt=(OPTSTRING,),
    options=(
        "-s subject: the subject",
        "-t: recipients from the To:/Cc:/Bcc: lines",
        "-e: is there mail? (never: exit 1)",
        "-f file: reading a mailbox (there is none)",
        "recipient...: send standard input to them (recorded with the host, never sent)",
    ),
    not_simulated=(
        "reading mail: the mailbox is not modelled ('No mail for <user>')",
        "-b -B -c -d -F -h -H -i -I -n -N -r -T -u -U -v -V -~: read, with no effect",
    ),
    messages=(
        "Usage: <prog> -eiIUdFntBNHvV~ -T FILE -u USER -h hops -r address",
        "Cannot give -f and people to send to.",
        "The flags you gave are used only when sending mail.",
        "Ignoring recipients on command line with -t",
        "No mail for <user>",
    ),
)


def usage(inv: Invocation) -> int:
    inv.err(f"Usage: {inv.prog} -eiIUdFntBNHvV~ -T FILE -u USER -h hops -r address")
    inv.err("\t\t-s SUBJECT -f FILE users")
    return 1


def main(inv: Invocation) -> int:
    opts, rest = sun_getopt(inv, inv.args, OPTSTRING)
    subject = None
    flags = set()
    errors = 0
    for o in opts:
        if o.char == "?":
            errors += 1
            continue
        flags.add(o.char)
        if o.char == "s":
            subject = o.arg
    if "f" in flags and rest:
        inv.err("Cannot give -f and people to send to.")
        errors += 1
    if "e" in flags and (rest or "t" in flags):
        return 1
    if "t" not in flags and not rest and flags & set(SEND_ONLY):
        inv.err("The flags you gave are used only when sending mail.")
        errors += 1
    if errors:
        return usage(inv)
    if "e" in flags:
        return 1
    body = inv.stdin.decode("utf-8", errors="replace")
    if "t" in flags:
        if rest:
            inv.err("Ignoring recipients on command line with -t")
        rcpts, header_subject = header_recipients(body)
        subject = subject or header_subject
    elif rest:
        rcpts = list(rest)
    else:
        user = inv.env.get("LOGNAME") or inv.env.get("USER") or "root"
        inv.err(f"No mail for {user}")
        return 1
    inv.host.sunos.mail.append(MailMessage(inv.prog, rcpts, subject, body,
                                               inv.host.clock.now))
    return 0
