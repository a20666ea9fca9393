"""The text report laid out as rich lays it out, without rich: for a pipe or a file.

A ``svmsim run`` whose report goes to a pipe or a file (no colour, 100 columns) paid some
30 ms for rich (its import and first render) to write plain text. This module writes the
same characters itself, for what :func:`simulator.session.verdict.report_parts` describes:
paragraphs folded at the width, and the checks' table. It follows rich 15's own code, which
it names step by step: a paragraph is ``Text.wrap`` (``rich._wrap.divide_line``, then
``Text.rstrip_end`` and ``Text.truncate``); the table is ``Table`` with its default box
(``box.HEAVY_HEAD``), padding (0, 1), the edge shown, two ``no_wrap`` columns and a
``fold`` one (``Table._calculate_column_widths``, ``_collapse_widths``,
``rich._ratio.ratio_reduce``, ``Measurement.get`` over ``Padding`` and ``Text``).

It does so only where one character is one cell and the only white space is the space:
text made of printable ASCII (``str.isascii`` and ``str.isprintable``), and a table wide
enough for a padded cell (:data:`MIN_WIDTH`). Anything else (other characters, tabs, a width
too narrow) answers None and the caller lets rich write the report, so the output is rich's
in every case; tests/session/test_session_plaintext.py compares the two over many reports and
widths.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# rich._wrap.re_word: a word with the white space around it
_WORD = re.compile(r"\s*\S+\s*")
# the columns' headers (verdict.write_text gives rich the same)
HEADERS = ("check", "held", "evidence / reason")
# the table's borders: two edges and a divider between each two of its three columns
_EXTRA = 4
# the narrowest report laid out here: a column wider than its padding
MIN_WIDTH = 20
# box.HEAVY_HEAD: top, header row, the rule under the header, body rows, bottom
_TOP = ("\u250f", "\u2501", "\u2533", "\u2513")
_HEAD_ROW = ("\u2503", "\u2503", "\u2503")
_HEAD_RULE = ("\u2521", "\u2501", "\u2547", "\u2529")
_BODY_ROW = ("\u2502", "\u2502", "\u2502")
_BOTTOM = ("\u2514", "\u2500", "\u2534", "\u2518")
_ELLIPSIS = "\u2026"


def plain(text: str) -> bool:
    """Whether ``text`` is laid out here: printable ASCII (one cell a character)."""
    return text.isascii() and text.isprintable()


def _divide_line(text: str, width: int) -> list[int]:
    """rich._wrap.divide_line with ``fold``: where a line of ``text`` is broken at ``width``."""
    breaks: list[int] = []
    offset = 0
    match = _WORD.match(text, 0)
    while match is not None:
        start, end = match.span()
        word = match.group(0)
        length = len(word.rstrip())
        if width - offset >= length:
            offset += len(word)
        elif length > width:            # folded across lines (chop_cells: width a piece)
            pieces = [word[i:i + width] for i in range(0, len(word), width)]
            for n, piece in enumerate(pieces):
                if start:
                    breaks.append(start)
                if n == len(pieces) - 1:
                    offset = len(piece)
                else:
                    start += len(piece)
        elif offset and start:
            breaks.append(start)
            offset = len(word)
        match = _WORD.match(text, end)
    return breaks


def _rstrip_end(line: str, size: int) -> str:
    """Text.rstrip_end: the white space beyond ``size`` removed."""
    excess = len(line) - size
    if excess > 0:
        spaces = len(line) - len(line.rstrip())
        if spaces:
            line = line[:len(line) - min(spaces, excess)]
    return line


def fold(text: str, width: int) -> list[str]:
    """Text.wrap of one line of ``text`` at ``width`` (justify "default", overflow "fold")."""
    offsets = [0, *_divide_line(text, width), len(text)]
    return [_rstrip_end(text[a:b], width)[:width]
            for a, b in zip(offsets, offsets[1:], strict=False)]


def _measure(text: str, width: int) -> tuple[int, int]:
    """Measurement.get of a padded cell (Padding of (0, 1) round a Text) at ``width``."""
    def get(low: int, high: int) -> tuple[int, int]:
        # Measurement.get: normalize, with_maximum, nothing below one cell, normalize
        low = max(0, min(max(0, low), high))
        high = max(0, max(low, high))
        low, high = min(low, width), min(high, width)
        if high < 1:
            return 0, 0
        low = max(0, min(low, high))
        return low, max(low, high)
    if width < 1:
        return 0, 0
    if width - 2 < 1:
        low, high = width, width
    else:
        lines = text.splitlines()
        high = max(len(line) for line in lines) if lines else 0
        words = text.split()
        low = max(len(word) for word in words) if words else high
        low, high = get(low, high)
        low, high = min(low + 2, width), min(high + 2, width)
    return get(low, high)


def _measure_column(cells: Sequence[str], width: int) -> int:
    """Table._measure_column's maximum (what the column's width is made of)."""
    if width < 1:
        return 0
    return min(max(_measure(cell, width)[1] for cell in cells), width)


def _ratio_reduce(total: int, ratios: list[int], maximums: list[int],
                  values: list[int]) -> list[int]:
    """rich._ratio.ratio_reduce."""
    ratios = [ratio if most else 0 for ratio, most in zip(ratios, maximums, strict=True)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    remaining = total
    result = []
    for ratio, most, value in zip(ratios, maximums, values, strict=True):
        if ratio and total_ratio > 0:
            distributed = min(most, round(ratio * remaining / total_ratio))
            result.append(value - distributed)
            remaining -= distributed
            total_ratio -= ratio
        else:
            result.append(value)
    return result


def _collapse(widths: list[int], wrapable: list[bool], max_width: int) -> list[int]:
    """Table._collapse_widths: the wrapable columns narrowed, widest first."""
    total = sum(widths)
    excess = total - max_width
    if any(wrapable):
        while total and excess > 0:
            widest = max(w for w, wrap in zip(widths, wrapable, strict=True) if wrap)
            second = max(w if wrap and w != widest else 0
                         for w, wrap in zip(widths, wrapable, strict=True))
            difference = widest - second
            ratios = [1 if (w == widest and wrap) else 0
                      for w, wrap in zip(widths, wrapable, strict=True)]
            if not any(ratios) or not difference:
                break
            widths = _ratio_reduce(excess, ratios, [min(excess, difference)] * len(widths),
                                   widths)
            total = sum(widths)
            excess = total - max_width
    return widths


def _column_widths(columns: list[list[str]], width: int) -> list[int]:
    """Table._calculate_column_widths (not expanded; two no_wrap columns, a third that
    folds), padding included."""
    max_width = width - _EXTRA
    widths = [_measure_column(cells, max_width) or 1 for cells in columns]
    if sum(widths) > max_width:
        widths = _collapse(widths, [False, False, True], max_width)
        if sum(widths) > max_width:     # last resort: every column narrowed evenly
            excess = sum(widths) - max_width
            widths = _ratio_reduce(excess, [1] * len(widths), widths, widths)
        widths = [_measure_column(cells, w) for cells, w in zip(columns, widths, strict=True)]
    return widths


def _cell(text: str, width: int, wrap: bool) -> list[str]:
    """A cell's lines at ``width`` (padding included): Padding round Text.wrap, justify
    "left" (each line padded to the width); a no_wrap column ends a longer line with an
    ellipsis."""
    inner = width - 2
    if wrap:
        lines = [line.ljust(inner)[:inner] for line in fold(text, inner)]
    elif len(text) > inner:
        lines = [text[:inner - 1] + _ELLIPSIS]
    else:
        lines = [text.ljust(inner)]
    return [f" {line} " for line in lines]


def _rule(widths: list[int], chars: tuple[str, str, str, str]) -> str:
    left, horizontal, cross, right = chars
    return left + cross.join(horizontal * w for w in widths) + right


def table(rows: Sequence[tuple[str, str, str]], width: int) -> list[str] | None:
    """The checks' table as rich draws it at ``width`` columns, or None where rich must."""
    if width < MIN_WIDTH or not all(plain(text) for row in rows for text in row):
        return None
    columns = [list(cells) for cells in zip(HEADERS, *rows, strict=True)]
    widths = _column_widths(columns, width)
    if min(widths) < 3 or sum(widths) + _EXTRA > width:
        return None
    out = [_rule(widths, _TOP)]
    for n, row in enumerate([HEADERS, *rows]):
        cells = [_cell(text, w, wrap=i == 2)
                 for i, (text, w) in enumerate(zip(row, widths, strict=True))]
        height = max(len(lines) for lines in cells)
        blank = [" " * w for w in widths]
        for i, lines in enumerate(cells):
            gap = [blank[i]] * (height - len(lines))
            cells[i] = gap + lines if n == 0 else lines + gap   # the header sits at the bottom
        edge, divider, right = _HEAD_ROW if n == 0 else _BODY_ROW
        out.extend(edge + divider.join(parts) + right for parts in zip(*cells, strict=True))
        if n == 0:
            out.append(_rule(widths, _HEAD_RULE))
    out.append(_rule(widths, _BOTTOM))
    return out
