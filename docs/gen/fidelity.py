"""The fidelity matrix: what each fake program simulates, generated from the programs.

Each program module in ``simulator/core/registry.py`` declares its ``COVERAGE``
(:class:`simulator.core.coverage.Coverage`); :func:`render` turns them into one Markdown page,
so the page cannot drift from the code (moto documents its coverage from its code the same
way). Deterministic: the same code gives the same page, byte for byte. A plain module file:
``python docs/gen/fidelity.py > fidelity.md``, or import it and call ``render()``.
"""

from __future__ import annotations

import importlib
import sys

from simulator.core.coverage import Coverage
from simulator.core.registry import PROGRAMS, Program

ILLUMOS = "https://github.com/illumos/illumos-gate/blob/master/"

INTRO = """\
# Fidelity matrix

svmsim's programs answer at the paths of a Solaris host and follow the illumos sources
named below, texts and exit statuses byte for byte. For each program this page lists the
options, key letters, operands or subcommands it acts on, what the real program does that
svmsim refuses or ignores (it says so: usually one `svmsim: ... not simulated` line and a
non-zero exit, never a made-up answer), and the messages the program prints itself. Texts
of libmeta (`meta_error.c`), of the model and of libc's getopt reach the programs too and
are not repeated; `<x>` marks a variable part of a message. The page is generated from
each module's `COVERAGE` declaration (`simulator/core/coverage.py`), so it changes with
the code.
"""


def service(prog: Program) -> str:
    """The service folder a program lives in (``simulator.<service>.cmd...``)."""
    return prog.module.split(".")[1]


def coverage(prog: Program) -> Coverage:
    cov = importlib.import_module(prog.module).COVERAGE
    assert isinstance(cov, Coverage)
    return cov


def programs() -> list[Program]:
    """Every program, sorted by service then name."""
    return sorted(PROGRAMS.values(), key=lambda p: (service(p), p.name))


def _source_link(path: str) -> str:
    return f"[`{path}`]({ILLUMOS}{path})"


def _option(line: str) -> str:
    syntax, sep, what = line.partition(": ")
    return f"- `{syntax}`" + (f": {what}" if sep else "")


def _message(text: str) -> str:
    """A message as the page shows it: the program's name as ``<prog>``, tabs as spaces."""
    for mark in ("{0}", "{p}", "%s"):
        text = text.replace(mark, "<prog>")
    return text.rstrip("\n").expandtabs(8)


def _summary(progs: list[Program]) -> list[str]:
    out = ["| program | service | source | options | not simulated |",
           "|---|---|---|---|---|"]
    for prog in progs:
        cov = coverage(prog)
        if cov.own:
            source = "svmsim's own"
        else:
            source = ", ".join(f"`{p.removeprefix('usr/src/')}`" for p in cov.source[:2])
            if len(cov.source) > 2:
                source += f" (+{len(cov.source) - 2})"
        getopt = " ".join(f"`{g}`" for g in cov.getopt)
        options = f"{len(cov.options)}" + (f" ({getopt})" if getopt else "")
        out.append(f"| [{prog.name}](#{prog.name}) | {service(prog)} | {source} | "
                   f"{options} | {len(cov.not_simulated)} |")
    return out


def _program(prog: Program) -> list[str]:
    cov = coverage(prog)
    out = [f"## {prog.name}", "", f"Service: `{service(prog)}`. Module: `{prog.module}`.", "",
           "Paths: " + ", ".join(f"`{p}`" for p in prog.paths) + ".", ""]
    if cov.own:
        out += ["Source: svmsim's own program; no Solaris source has it.", ""]
    else:
        out += ["Source:", "", *(f"- {_source_link(p)}" for p in cov.source), ""]
    if cov.getopt:
        out += ["getopt(3C): " + ", ".join(f"`{g}`" for g in cov.getopt) + ".", ""]
    out += ["Supported:", ""]
    out += [_option(line) for line in cov.options] or ["- (no options or operands)"]
    out += ["", "Not simulated:", ""]
    out += [f"- {line}" for line in cov.not_simulated] or ["- (nothing listed)"]
    out.append("")
    if cov.messages:
        out += ["Messages:", "", "```text"]
        for text in cov.messages:
            out += [line.rstrip() for line in _message(text).split("\n")]
        out += ["```", ""]
    if cov.notes:
        out += [cov.notes, ""]
    return out


def render() -> str:
    """The fidelity matrix as Markdown."""
    progs = programs()
    lines = [INTRO, *_summary(progs), ""]
    for prog in progs:
        lines += _program(prog)
    return "\n".join(lines).rstrip("\n") + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
