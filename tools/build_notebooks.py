"""Build the Korean and English lesson notebooks from one source file per chapter.

Why one source: the two editions must have identical code cells (COURSE_DESIGN
conventions), and a translator should see each Korean paragraph next to its English one.
``notebooks/_source/NN_slug.txt`` holds both; this script writes
``notebooks/ko/NN_slug.ipynb`` and ``notebooks/en/NN_slug.ipynb`` without outputs and
with deterministic cell ids, so a rebuild of unchanged sources changes nothing.

Source format: a line starting with ``%% `` at column 0 opens a cell.

``%% md ko``
    Korean markdown (Korean edition only).
``%% md en``
    English markdown (English edition only).
``%% md``
    Markdown for both editions (formulas, references).
``%% code``
    Code for both editions. ``{{LANG}}`` is replaced by ``ko`` or ``en``; use it only in
    the one language line, ``set_language("{{LANG}}")``.

``%% alt ko`` / ``%% alt en``
    The alt text of one figure the code cell above draws: a short description in that
    language of what the figure shows and what it is for ("the loss falls fast for
    η = 0.1 and oscillates for η = 0.9"); lines are joined into one.  Give one ``ko``
    and one ``en`` block per figure, in the order the cell shows its figures.  The builder
    writes the edition's text at the top of the code cell as ``# alt: ...`` comment lines;
    in a kernel ``set_language`` makes each figure carry its line as ``<img alt>`` in
    JupyterLab and on the site (see ``course_lib/alt_text.py``), and the test run fails on
    a lesson figure without one.

Options may follow the kind: ``%% code tags=raises-exception,hide-input``.

Every chapter ends with a generated navigation cell (its exercise set, the previous and the
next chapter), so those links are never written by hand and stay right when chapters move.

It also rewrites the chapter table in README.md (between the ``chapters`` markers), so
the README links every chapter in both languages and its exercise set.

Usage::

    python tools/build_notebooks.py           # rebuild every chapter
    python tools/build_notebooks.py --check   # exit 1 if a committed notebook is stale
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIR = ROOT / "notebooks" / "_source"
LANGS = ("ko", "en")
LANG_TOKEN = "{{LANG}}"

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
ALT_PREFIX = "# alt:"  # course_lib.alt_text reads these lines in the kernel
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
# JupyterLab breaks Korean words anywhere in a narrow table cell ("파라미 터당"); it loads no
# course CSS, but keeps inline styles, so a Korean table is wrapped in a block that breaks
# between words only (as course_lib.text_layout.TABLE_STYLE and the site's CSS do). The blank
# lines matter: Markdown reads the table inside the <div> as a table again.
KEEP_ALL_OPEN = '<div style="word-break: keep-all; overflow-wrap: break-word;">'
KEEP_ALL_CLOSE = "</div>"
_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


@dataclass
class SourceCell:
    kind: str  # "code" or "markdown" ("alt" while parsing)
    lang: str | None  # None: both editions
    text: str
    tags: list[str] = field(default_factory=list)
    line: int = 0
    alts: dict[str, list[str]] = field(default_factory=lambda: {lang: [] for lang in LANGS})


def parse_source(text: str, name: str = "<source>") -> list[SourceCell]:
    """Split a chapter source into cells; raise ValueError on a malformed marker."""
    cells: list[SourceCell] = []
    current: SourceCell | None = None
    body: list[str] = []

    def close() -> None:
        if current is None:
            return
        current.text = "\n".join(body).strip("\n")
        if current.kind == "alt":
            _attach_alt(cells, current, name)
        else:
            cells.append(current)

    for lineno, line in enumerate(text.splitlines(), start=1):
        if line.startswith("%% "):
            close()
            body = []
            current = _parse_marker(line, lineno, name)
        elif current is None:
            if line.strip():
                raise ValueError(f"{name}:{lineno}: text before the first '%% ' cell marker")
        else:
            body.append(line)
    close()
    for cell in cells:
        ko, en = (len(cell.alts[lang]) for lang in LANGS)
        if ko != en:
            raise ValueError(
                f"{name}:{cell.line}: the code cell has {ko} '%% alt ko' but {en} '%% alt en' "
                "blocks; give each figure both"
            )
    return cells


def _attach_alt(cells: list[SourceCell], alt: SourceCell, name: str) -> None:
    """Add an alt block to the code cell it follows, after checking its text."""
    if not cells or cells[-1].kind != "code":
        raise ValueError(f"{name}:{alt.line}: '%% alt {alt.lang}' must follow a code cell")
    text = " ".join(alt.text.split())
    if not text:
        raise ValueError(f"{name}:{alt.line}: empty '%% alt {alt.lang}' block")
    if (alt.lang == "ko") != bool(_HANGUL.search(text)):
        need = "Korean" if alt.lang == "ko" else "English (no Hangul)"
        raise ValueError(f"{name}:{alt.line}: '%% alt {alt.lang}' must be written in {need}")
    cells[-1].alts[alt.lang].append(text)


def _parse_marker(line: str, lineno: int, name: str) -> SourceCell:
    words = line[3:].split()
    tags: list[str] = []
    rest = []
    for word in words:
        if word.startswith("tags="):
            tags = [t for t in word[len("tags=") :].split(",") if t]
        else:
            rest.append(word)
    if rest == ["code"]:
        return SourceCell("code", None, "", tags, lineno)
    if rest == ["md"]:
        return SourceCell("markdown", None, "", tags, lineno)
    if len(rest) == 2 and rest[0] == "md" and rest[1] in LANGS:
        return SourceCell("markdown", rest[1], "", tags, lineno)
    if len(rest) == 2 and rest[0] == "alt" and rest[1] in LANGS and not tags:
        return SourceCell("alt", rest[1], "", [], lineno)
    raise ValueError(
        f"{name}:{lineno}: bad cell marker {line!r}; "
        "use '%% code', '%% md', '%% md ko', '%% md en', '%% alt ko' or '%% alt en'"
    )


def keep_all_tables(markdown: str) -> str:
    """Wrap each Markdown table that holds Korean in a ``word-break: keep-all`` block."""
    lines, out, i, fenced = markdown.split("\n"), [], 0, False
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            fenced = not fenced
        starts_table = (not fenced and line.startswith("|") and i + 1 < len(lines)
                        and _TABLE_RULE.match(lines[i + 1]))
        if not starts_table:
            out.append(line)
            i += 1
            continue
        end = i + 2
        while end < len(lines) and lines[end].startswith("|"):
            end += 1
        table = lines[i:end]
        if _HANGUL.search("\n".join(table)):
            before = [""] if out and out[-1].strip() else []
            table = [*before, KEEP_ALL_OPEN, "", *table, "", KEEP_ALL_CLOSE]
        out.extend(table)
        i = end
    return "\n".join(out)


def build_notebook(cells: list[SourceCell], lang: str, slug: str) -> dict:
    """Return the notebook (as a JSON-able dict) of one edition."""
    nb_cells = []
    for cell in cells:
        if cell.lang not in (None, lang):
            continue
        index = len(nb_cells)
        text = cell.text
        if cell.kind == "code":
            alt_lines = [f"{ALT_PREFIX} {alt}" for alt in cell.alts[lang]]
            text = "\n".join([*alt_lines, text.replace(LANG_TOKEN, lang)])
        elif lang == "ko":
            text = keep_all_tables(text)
        metadata: dict = {"tags": cell.tags} if cell.tags else {}
        nb_cell: dict = {
            "cell_type": cell.kind,
            "id": f"{slug.replace('_', '-')}-{index:03d}",
            "metadata": metadata,
            "source": text.splitlines(keepends=True),
        }
        if cell.kind == "code":
            nb_cell["execution_count"] = None
            nb_cell["outputs"] = []
        nb_cells.append(nb_cell)
    return {
        "cells": nb_cells,
        "metadata": {
            "kernelspec": KERNELSPEC,
            "language_info": {"name": "python"},
            "course": {"lang": lang, "source": f"notebooks/_source/{slug}.txt"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def render(nb: dict) -> str:
    return json.dumps(nb, ensure_ascii=False, indent=1) + "\n"


def check_pairing(cells: list[SourceCell], name: str) -> None:
    """Korean and English markdown must alternate in pairs so the editions read in parallel."""
    ko = sum(1 for c in cells if c.lang == "ko")
    en = sum(1 for c in cells if c.lang == "en")
    if ko != en:
        raise ValueError(f"{name}: {ko} Korean markdown cells but {en} English ones")


def outputs_for(source: Path) -> dict[Path, str]:
    """Map each edition's notebook path to the text it should contain."""
    slug = source.stem
    cells = parse_source(source.read_text(encoding="utf-8"), source.name)
    check_pairing(cells, source.name)
    return {
        ROOT / "notebooks" / lang / f"{slug}.ipynb":
            render(with_navigation(build_notebook(cells, lang, slug), lang, slug))
        for lang in LANGS
    }


NAV_LABELS = {"ko": ("연습 문제", "이전 장", "다음 장"), "en": ("Exercises", "Previous", "Next")}


def navigation_markdown(slug: str, lang: str, source_dir: Path = SOURCE_DIR) -> str:
    """The closing line of a chapter: its exercise set, the previous and the next chapter.

    Generated here rather than written in the sources, so that adding, renaming or
    reordering a chapter keeps every link right.
    """
    slugs = sorted(p.stem for p in source_dir.glob("*.txt"))
    i = slugs.index(slug)
    exercise_label, previous_label, next_label = NAV_LABELS[lang]
    parts = []
    exercises = sorted((ROOT / "exercises").glob(f"ex{slug.split('_', 1)[0]}_*.ipynb"))
    if exercises:
        parts.append(f"**{exercise_label}:** [{exercises[0].stem}](../../exercises/"
                     f"{exercises[0].name})")
    for label, j in ((previous_label, i - 1), (next_label, i + 1)):
        if 0 <= j < len(slugs):
            other = source_dir / f"{slugs[j]}.txt"
            title = _title(parse_source(other.read_text(encoding="utf-8"), other.name), lang)
            parts.append(f"**{label}:** [{title}]({slugs[j]}.ipynb)")
    return "---\n\n" + " · ".join(parts)


def with_navigation(nb: dict, lang: str, slug: str) -> dict:
    """Append the navigation cell (see :func:`navigation_markdown`) to a built notebook."""
    nb["cells"].append({
        "cell_type": "markdown",
        "id": f"{slug.replace('_', '-')}-nav",
        "metadata": {"tags": ["navigation"]},
        "source": navigation_markdown(slug, lang).splitlines(keepends=True),
    })
    return nb


README = ROOT / "README.md"
_TABLE_START, _TABLE_END = "<!-- chapters:start -->", "<!-- chapters:end -->"


def _title(cells: list[SourceCell], lang: str) -> str:
    """The first heading of the edition, without its '#' marks."""
    for cell in cells:
        if cell.kind == "markdown" and cell.lang in (None, lang):
            for line in cell.text.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return "?"


def chapter_table() -> str:
    """README's chapter list: both editions and the matching exercise set of every chapter."""
    rows = ["| # | 한국어 | English | 연습 / Exercises |", "|---|---|---|---|"]
    for source in sorted(SOURCE_DIR.glob("*.txt")):
        slug = source.stem
        cells = parse_source(source.read_text(encoding="utf-8"), source.name)
        number = slug.split("_", 1)[0]
        exercises = sorted((ROOT / "exercises").glob(f"ex{number}_*.ipynb"))
        exercise = (
            f"[{exercises[0].stem}](exercises/{exercises[0].name})" if exercises else "—"
        )
        rows.append(
            f"| {number} | [{_title(cells, 'ko')}](notebooks/ko/{slug}.ipynb) "
            f"| [{_title(cells, 'en')}](notebooks/en/{slug}.ipynb) | {exercise} |"
        )
    return "\n".join(rows)


def readme_with_chapters(readme: str) -> str:
    start, end = readme.index(_TABLE_START), readme.index(_TABLE_END)
    return readme[: start + len(_TABLE_START)] + "\n" + chapter_table() + "\n" + readme[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report stale notebooks")
    args = parser.parse_args(argv)
    stale = []
    for source in sorted(SOURCE_DIR.glob("*.txt")):
        for path, text in outputs_for(source).items():
            current = path.read_text(encoding="utf-8") if path.exists() else None
            if current == text:
                continue
            stale.append(path)
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    readme = README.read_text(encoding="utf-8")
    if readme_with_chapters(readme) != readme:
        stale.append(README)
        if not args.check:
            README.write_text(readme_with_chapters(readme), encoding="utf-8")
    verb = "stale" if args.check else "written"
    for path in stale:
        print(f"{verb}: {path.relative_to(ROOT)}")
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
