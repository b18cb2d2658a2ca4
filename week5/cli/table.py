"""The command line's one table renderer: columns padded to terminal width, or Markdown.

Column widths count terminal columns, not characters: a Hangul title ("멀티 AZ 네트워크")
takes two columns per syllable, so padding by ``len`` would push every later column left.
A column is as wide as its widest cell (or its ``min_widths`` entry, whichever is more).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence, Union

from week5.analysis import pricing
from week5.analysis.diagram import width

GREEN, RED, RESET = "\033[32m", "\033[31m", "\033[0m"


@dataclass(frozen=True)
class Painted:
    """A cell in colour: padded as ``text``, then wrapped in ``colour`` and a reset."""

    text: str
    colour: str


Cell = Union[str, Painted]


def pad(text: str, columns: int, align: str = "<") -> str:
    """``text`` padded with spaces to ``columns`` terminal columns (``>``: on the left)."""
    fill = " " * (columns - width(text))
    return fill + text if align == ">" else text + fill


def _text(cell: Cell) -> str:
    return cell.text if isinstance(cell, Painted) else cell


def render_table(
    rows: Sequence[Sequence[Cell]],
    header: Optional[Sequence[str]] = None,
    *,
    align: str = "",
    min_widths: Sequence[int] = (),
    gap: str = "  ",
    indent: str = "",
    markdown: bool = False,
) -> str:
    """``rows`` (and ``header``, underlined with dashes) as aligned text, one line per row.

    ``align`` has one character per column, ``<`` (the default) or ``>``; lines end without
    trailing spaces. ``markdown`` gives a Markdown table instead, cells unpadded.
    """
    if markdown:
        return _markdown(rows, header)
    table: List[Sequence[Cell]] = ([list(header)] if header is not None else []) + list(rows)
    if not table:
        return ""
    columns = max(len(row) for row in table)
    widths = [
        max([min_widths[i] if i < len(min_widths) else 0] + [width(_text(r[i])) for r in table])
        for i in range(columns)
    ]
    lines = []
    for index, row in enumerate(table):
        cells = []
        for i, cell in enumerate(row):
            padded = pad(_text(cell), widths[i], align[i] if i < len(align) else "<")
            cells.append(f"{cell.colour}{padded}{RESET}" if isinstance(cell, Painted) else padded)
        lines.append((indent + gap.join(cells)).rstrip())
        if header is not None and index == 0:
            lines.append(indent + gap.join("-" * w for w in widths))
    return "\n".join(lines)


def _markdown(rows: Sequence[Sequence[Cell]], header: Optional[Sequence[str]]) -> str:
    def line(cells: Sequence[Cell]) -> str:
        return "| " + " | ".join(_text(c) for c in cells) + " |"

    lines = []
    if header is not None:
        lines += [line(header), "|" + "---|" * len(header)]
    return "\n".join(lines + [line(row) for row in rows])


def usd(amount: float, places: int = 3) -> str:
    """``amount`` dollars as every command prints them (``$0.133``; :func:`pricing.half_up`)."""
    return f"${pricing.half_up(amount, places)}"
