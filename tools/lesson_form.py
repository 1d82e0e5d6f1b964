"""The form every lesson shares: the same section names, and links that lead somewhere.

Each chapter opens with its title and a "학습 목표 / Learning goals" section, ends with
"정리 / Summary" and then "참고 문헌 / References", and closes with the navigation cell
that ``build_notebooks`` generates (exercise set, previous and next chapter).
:func:`form_problems` returns what is wrong with one built notebook, as readable lines.
"""

from __future__ import annotations

import re
from pathlib import Path

SECTIONS = {
    "ko": ("## 학습 목표", "## 정리", "## 참고 문헌"),
    "en": ("## Learning goals", "## Summary", "## References"),
}
NAV_LABELS = {"ko": ("이전 장", "다음 장"), "en": ("Previous", "Next")}
LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")
HEADING = re.compile(r"^(#{1,6}) (.+)$", re.MULTILINE)


def _markdown(nb: dict) -> list[str]:
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]


def form_problems(nb: dict, lang: str, path: Path, previous: str | None,
                  following: str | None) -> list[str]:
    """Problems with the sections and links of the built notebook ``nb`` at ``path``.

    ``previous`` and ``following`` are the file names the navigation must link to (None
    for the first and the last chapter).
    """
    name = path.name
    cells = _markdown(nb)
    if not cells:
        return [f"{name}: no markdown cells"]
    goals, summary, references = SECTIONS[lang]
    problems = []
    if not re.match(r"# \d\d\. ", cells[0]):
        problems.append(f"{name}: the first cell must open with the title '# NN. ...'")
    if goals not in cells[0].splitlines():
        problems.append(f"{name}: '{goals}' must be in the first cell, under the title")
    headings = [m.group(0) for cell in cells for m in HEADING.finditer(cell)
                if m.group(1) == "##"]
    for wanted in (goals, summary, references):
        if headings.count(wanted) != 1:
            problems.append(f"{name}: '{wanted}' appears {headings.count(wanted)} times, not once")
    if not problems:
        numbered = [i for i, h in enumerate(headings) if re.match(r"## \d+\. ", h)]
        if numbered and not headings.index(goals) < numbered[0]:
            problems.append(f"{name}: '{goals}' must come before the numbered sections")
        if numbered and not numbered[-1] < headings.index(summary) < headings.index(references):
            problems.append(f"{name}: '{summary}' then '{references}' must close the chapter")
    problems += _navigation_problems(nb, lang, name, previous, following)
    for cell in cells:
        for _, target in LINK.findall(cell):
            if "://" in target or target.startswith("#"):
                continue
            if not (path.parent / target.split("#")[0]).exists():
                problems.append(f"{name}: link to {target} leads nowhere")
    return problems


def _navigation_problems(nb: dict, lang: str, name: str, previous: str | None,
                         following: str | None) -> list[str]:
    last = nb["cells"][-1]
    if last["cell_type"] != "markdown" or "navigation" not in last["metadata"].get("tags", []):
        return [f"{name}: the last cell must be the generated navigation cell"]
    text = "".join(last["source"])
    problems = []
    for label, expected in zip(NAV_LABELS[lang], (previous, following), strict=True):
        found = re.search(rf"\*\*{label}:\*\* \[[^\]]+\]\(([^)]+)\)", text)
        if expected is None and found:
            problems.append(f"{name}: '{label}' link where there is no such chapter")
        elif expected is not None and (not found or found[1] != expected):
            problems.append(f"{name}: '{label}' must link to {expected}, "
                            f"found {found[1] if found else 'nothing'}")
    return problems


HAND_WRITTEN_NAV = re.compile(r"\*\*(이전 장|다음 장|Previous|Next):\*\*")


def hand_written_navigation(source_text: str) -> list[str]:
    """Lines of a chapter source that write previous/next links by hand (the builder does)."""
    return [line for line in source_text.splitlines() if HAND_WRITTEN_NAV.search(line)]
