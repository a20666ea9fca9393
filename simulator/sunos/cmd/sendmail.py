"""sendmail(1M): hand a message to the mail system, recorded and never sent.

The message is standard input; recipients are the operands, or the To:/Cc:/Bcc: header lines
with ``-t``. It is kept in the host's SunOS state with mailx's messages, exit 0. Options
(decided subset of sendmail's: ``-t``, ``-i``, ``-oX``, ``-f``/``-F``/``-r`` sender, ``-v``,
``-U``, ``-bm``) are accepted; another mode (``-bp``, ``-bs``, ``-bd``...) is not simulated.
No recipient at all is sendmail's ``Recipient names must be specified``, exit 64 (EX_USAGE).
"""

from __future__ import annotations

from simulator.core.coverage import Coverage
from simulator.core.invocation import Invocation
from simulator.sunos.state import MailMessage, header_recipients

NAME = "sendmail"
EX_USAGE = 64
_WITH_ARG = set("fFrBNRVXhe")


COVERAGE = Coverage(
    source=("usr/src/cmd/sendmail/src/main.c",),
    options=(
        "-t: recipients from the To:/Cc:/Bcc: lines too",
        "-bm: deliver mail (the default mode)",
        "-f sender: read (-F, -r and the other letters taking an argument the same)",
        "recipient...: send standard input to them (recorded with the host, never sent)",
    ),
    not_simulated=(
        "every other mode (-bp, -bs, -bd...): 'svmsim: sendmail -b<x>: not simulated'",
        "-i, -oX, -v, -U: accepted, with no effect",
    ),
    messages=(
        "Recipient names must be specified",
        "svmsim: sendmail <arg>: not simulated",
    ),
    notes="The options are a decided subset; the module's docstring cites no source file, "
          "main.c is where sendmail reads them.",
)


def main(inv: Invocation) -> int:
    args = list(inv.args)
    from_headers = False
    rcpts: list[str] = []
    while args:
        a = args.pop(0)
        if a == "--":
            rcpts += args
            break
        if not a.startswith("-") or a == "-":
            rcpts.append(a)
            continue
        flag = a[1:2]
        if flag == "t":
            from_headers = True
        elif flag == "b" and a != "-bm":
            inv.err(f"svmsim: sendmail {a}: not simulated")
            return 1
        elif flag in _WITH_ARG and len(a) == 2 and args:
            args.pop(0)
    body = inv.stdin.decode("utf-8", errors="replace")
    head_rcpts, subject = header_recipients(body)
    if from_headers:
        rcpts += head_rcpts
    if not rcpts:
        inv.err("Recipient names must be specified")
        return EX_USAGE
    inv.host.sunos.mail.append(MailMessage(inv.prog, rcpts, subject, body,
                                               inv.host.clock.now))
    return 0
