"""Columns of printed text that line up in Korean too, and tables that wrap between words.

In a monospace font a Hangul syllable takes two columns, so ``f"{name:17}"`` pads a Korean
label by half as much as it needs and the columns after it drift (East Asian Width, Unicode
Standard Annex #11).  :func:`pad` counts display columns instead of characters.

In HTML, browsers break Korean text between any two syllables ("기 준선"), so a narrow
table column splits words.  :class:`Table` renders rows as HTML with ``word-break:
keep-all`` (breaks between words only), as Markdown for front ends without HTML, and as
aligned text for ``print``.

Examples
--------
>>> from course_lib.text_layout import display_width, pad
>>> display_width("학습률 lr")
9
>>> pad("학습률", 8) + "|"
'학습률  |'
>>> pad("lr", 8, ">") + "|"
'      lr|'
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Sequence

__all__ = ["Table", "display_width", "pad"]

#: Style of every table the course renders as HTML.
TABLE_STYLE = "word-break: keep-all; overflow-wrap: break-word;"


def display_width(text: str) -> int:
    """Columns ``text`` takes in a monospace font: 2 per wide (Hangul, CJK) character."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 0
               if unicodedata.combining(c) else 1 for c in text)


def pad(text: str, width: int, align: str = "<") -> str:
    """``text`` padded with spaces to ``width`` display columns.

    Parameters
    ----------
    text : str
    width : int
        Columns wanted; text already that wide or wider comes back unchanged.
    align : {"<", ">", "^"}, default="<"
        Left, right or centre, as in :func:`format`.
    """
    if align not in ("<", ">", "^"):
        raise ValueError(f"align must be '<', '>' or '^', got {align!r}")
    gap = max(width - display_width(text), 0)
    if align == "<":
        return text + " " * gap
    if align == ">":
        return " " * gap + text
    return " " * (gap // 2) + text + " " * (gap - gap // 2)


class Table:
    """Rows of strings (header first), shown as a Korean-safe HTML table in a notebook.

    Parameters
    ----------
    rows : sequence of sequence of str
        The header row, then the body rows; every row has the same number of cells.

    Examples
    --------
    >>> t = Table([["옵티마이저", "상태"], ["SGD", "0"], ["Adam", "2"]])
    >>> print(t)
    옵티마이저  상태
    SGD         0
    Adam        2
    >>> "word-break: keep-all" in t._repr_html_()
    True
    """

    def __init__(self, rows: Sequence[Sequence[str]]):
        self.rows = [[str(cell) for cell in row] for row in rows]
        widths = {len(row) for row in self.rows}
        if len(widths) > 1:
            raise ValueError(f"every row needs the same number of cells, got {sorted(widths)}")

    def _repr_html_(self) -> str:
        def cells(row: list[str], tag: str) -> str:
            return "".join(f"<{tag}>{html.escape(c, quote=False)}</{tag}>" for c in row)

        head, *body = self.rows
        rows = "".join(f"<tr>{cells(row, 'td')}</tr>" for row in body)
        return (f'<table class="course-table" style="{TABLE_STYLE}"><thead><tr>'
                f"{cells(head, 'th')}</tr></thead><tbody>{rows}</tbody></table>")

    def _repr_markdown_(self) -> str:
        def line(row: list[str]) -> str:
            return "| " + " | ".join(c.replace("|", "\\|") for c in row) + " |"

        return "\n".join([line(self.rows[0]), "|" + "---|" * len(self.rows[0]),
                          *(line(row) for row in self.rows[1:])])

    def __str__(self) -> str:
        widths = [max(display_width(row[i]) for row in self.rows)
                  for i in range(len(self.rows[0]))]
        return "\n".join("  ".join(pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip()
                         for row in self.rows)
