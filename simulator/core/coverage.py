"""What a fake program simulates of the real one: the record behind the fidelity matrix.

Every program module in :mod:`simulator.core.registry` declares one module-level
``COVERAGE = Coverage(...)``, filled from what the module itself reads and prints, so the
documentation's fidelity matrix (``docs/gen/fidelity.py``, as moto documents its coverage from
its code) cannot drift from the programs; ``tests/docs/test_fidelity.py`` checks each
declaration against its module. The record knows no SVM rule: it is only the shape.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Coverage:
    """One program's coverage.

    ``source``: the illumos files it follows, as ``usr/src/...`` paths (empty, with ``own``,
    for a program svmsim made up, which no Solaris source has).
    ``getopt``: the getopt(3C) strings it reads, verbatim (the module's own constant where
    it has one); empty for a program that reads key letters or operands its own way.
    ``options``: what it acts on, one ``SYNTAX: what it does`` line each; the first word of
    SYNTAX is the option, key letter, operand or subcommand as typed.
    ``not_simulated``: what the real program does that this one refuses or ignores.
    ``messages``: the texts it prints itself (``<x>`` a variable part); libmeta's, the
    model's and libc's texts reach it too and are not repeated here.
    """

    source: tuple[str, ...]
    getopt: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    not_simulated: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()
    notes: str = ""
    own: bool = False

    def option_words(self) -> tuple[str, ...]:
        """The first word of each ``options`` line (``-s``, ``if=``, ``rewind``)."""
        return tuple(line.split(":", 1)[0].split()[0] for line in self.options)
