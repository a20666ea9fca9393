"""The lab at a terminal (prompt_toolkit) and from an answer file (no terminal).

:func:`interactive` is ``svmsim lab NAME``: a ``host1# `` prompt with line editing,
history (``history``, the up arrow, Ctrl-R) and completion by :class:`LabCompleter`:
command names, each command's options, metadevice and hot spare pool names, mount points,
device paths (``/dev/md/rdsk/d3``, ``/dev/rdsk/c1t0d0s0``, ``/dev/rmt/0``) and the host's
files. The lab's own words are printed in colour by rich, apart from what the host prints.
Ctrl-C abandons the line, as at a shell; Ctrl-D or ``exit`` ends the lab.

:func:`batch` is ``svmsim lab NAME --answers FILE``: each line of the file is typed in
turn (a line a command reads -- ufsdump's "Is the new volume mounted...?" -- is the next
line of the file, as a terminal would give it), and the grade comes back.

The completion tables (:data:`OPTIONS`) are the options each program's getopt string
accepts (the programs' modules, after illumos's ``getopt`` calls in usr/src/cmd/lvm/util/
and usr/src/cmd/fs.d/ufs/): a convenience for typing, never a rule a program reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from simulator.core.registry import PROGRAMS
from simulator.lab.shell import EXIT, LAB_SUBCOMMANDS, SHELL_COMMANDS, LabShell
from simulator.lab.utilities import UTILITIES

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from simulator.lab.labfile import Lab
    from simulator.lab.objectives import Grade

OPTIONS: dict[str, tuple[str, ...]] = {
    "metastat": ("-p", "-c", "-i", "-a", "-t", "-s", "-B", "-D", "-h"),
    "metainit": ("-f", "-n", "-r", "-a", "-s", "-h", "-i", "-m", "-p", "-t", "-e"),
    "metaclear": ("-f", "-r", "-a", "-p", "-s", "-h"),
    "metattach": ("-i", "-s", "-h"),
    "metadetach": ("-f", "-s", "-h"),
    "metaoffline": ("-f", "-s", "-h"),
    "metaonline": ("-s", "-h"),
    "metareplace": ("-e", "-f", "-s", "-h"),
    "metasync": ("-r", "-c", "-p", "-s", "-h"),
    "metadb": ("-a", "-d", "-f", "-i", "-c", "-l", "-s", "-h"),
    "metahs": ("-a", "-d", "-e", "-i", "-r", "-s", "-h"),
    "metaset": ("-s", "-a", "-d", "-h", "-t", "-r", "-o", "-P"),
    "lockfs": ("-a", "-w", "-u", "-n", "-h", "-d", "-e", "-f", "-c", "-v"),
    "fsck": ("-F", "-m", "-n", "-N", "-y", "-Y", "-o", "-V"),
    "ufsdump": ("0uf", "0f", "S", "0ucf", "1uf", "W", "w"),
    "ufsrestore": ("tf", "tvf", "xf", "if", "rf"),
    "mount": ("-F", "-o", "-p", "-v", "-m", "-r", "-O"),
    "umount": ("-f", "-a", "-V"),
    "df": ("-k", "-h", "-b", "-e", "-g", "-l", "-n", "-t", "-F", "-o", "-Z"),
    "iostat": ("-E", "-En", "-x", "-xn", "-n", "-e"),
    "mt": ("-f",),
    "dd": ("if=", "of=", "bs=", "count=", "skip="),
    "ls": ("-l", "-a", "-d", "-la"),
    "grep": ("-i", "-v", "-c", "-n", "-l", "-w", "-e"),
    "tail": ("-n",), "head": ("-n",), "wc": ("-l", "-w", "-c"), "uname": ("-a", "-n", "-r"),
    "man": ("-s",),
}
FILES = ("/etc/vfstab", "/etc/lvm/md.tab", "/etc/lvm/mddb.cf", "/etc/mnttab",
         "/etc/dumpdates", "/etc/system", "/etc/release", "/var/adm/messages")


class LabCompleter(Completer):
    """Completion from what the lab host has now (names change as the trainee works)."""

    def __init__(self, shell: LabShell) -> None:
        self.shell = shell

    def get_completions(self, document: Document,
                        complete_event: CompleteEvent) -> Iterator[Completion]:
        before = document.text_before_cursor
        segment = before.split("|")[-1].split(";")[-1].split("&&")[-1].lstrip()
        words = segment.split()
        current = "" if segment.endswith((" ", "\t")) or not words else words[-1]
        first = not words or (len(words) == 1 and bool(current))
        for word in sorted(set(self._candidates(words, first, current))):
            if word.startswith(current) and word != current:
                yield Completion(word, start_position=-len(current))

    def _candidates(self, words: list[str], first: bool, current: str) -> Iterable[str]:
        if first:
            yield from PROGRAMS
            yield from UTILITIES
            yield from SHELL_COMMANDS
            return
        command = words[0].rsplit("/", 1)[-1]
        if command == "lab":
            yield from LAB_SUBCOMMANDS
            return
        if command == "man":
            yield from PROGRAMS
            return
        if current.startswith("-") or command in ("ufsdump", "ufsrestore", "dd"):
            yield from OPTIONS.get(command, ())
        yield from self.names()

    def names(self) -> Iterable[str]:
        host = self.shell.host
        for s in host.md.sets.values():
            prefix = f"{s.name}/" if s.name else ""
            base = f"/dev/md/{s.name}" if s.name else "/dev/md"
            for name in s.units:
                yield prefix + name
                yield f"{base}/dsk/{name}"
                yield f"{base}/rdsk/{name}"
            yield from s.hsps
        for mount, _dev in host.fs.mounts():
            yield mount
        for disk in host.disks.values():
            for num in disk.slices:
                yield f"{disk.name}s{num}"
                yield f"/dev/dsk/{disk.name}s{num}"
                yield f"/dev/rdsk/{disk.name}s{num}"
        yield from sorted(host.backups.tapes) or ["/dev/rmt/0"]
        yield from FILES


def interactive(lab: Lab, record_path: Path | None, console: Console) -> Grade:
    """The lab at this terminal until ``exit`` or Ctrl-D; the grade at the end."""
    import os

    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import InMemoryHistory

    # no cursor position request: a terminal that does not answer it would get a warning
    # line in the middle of the lab (the completion menu works without it)
    os.environ.setdefault("PROMPT_TOOLKIT_NO_CPR", "1")

    def write(text: str) -> None:
        console.file.write(text)
        console.file.flush()

    def note(what: str | RenderableType) -> None:
        if isinstance(what, str):
            console.print(what, style="cyan", highlight=False, markup=False)
        else:
            console.print(what)

    answers: PromptSession[str] = PromptSession()

    def ask() -> str | None:
        try:
            return answers.prompt("")
        except (EOFError, KeyboardInterrupt):
            return None

    shell = LabShell(lab, write=write, note=note, ask=ask, record_path=record_path)
    session: PromptSession[str] = PromptSession(history=InMemoryHistory(),
                                                completer=LabCompleter(shell),
                                                complete_while_typing=False)
    note(f"svmsim lab: {lab.title}" + (f" (variant {lab.seed})" if lab.seed else ""))
    if lab.spec.lab.summary:
        note(lab.spec.lab.summary.strip())
    note(f"You are root on {shell.host.hostname}, a simulated Solaris host. "
         "`lab task` shows the steps and objectives, `lab help` the lab's commands.")
    shell.save()
    while True:
        try:
            line = session.prompt(shell.prompt())
        except KeyboardInterrupt:
            continue
        except EOFError:
            break
        if shell.run_line(line) == EXIT:
            break
    return shell.finish()


def batch(lab: Lab, answers: str, record_path: Path | None = None) -> LabShell:
    """Type every line of ``answers`` at the lab; the shell, finished, with its record."""
    lines = answers.splitlines()
    pos = 0

    def ask() -> str | None:
        nonlocal pos
        if pos >= len(lines):
            return None
        pos += 1
        return lines[pos - 1]

    shell = LabShell(lab, ask=ask, record_path=record_path)
    while pos < len(lines):
        pos += 1
        if shell.run_line(lines[pos - 1]) == EXIT:
            break
    shell.finish()
    return shell
