"""nbgrader cell markup, and the student version of a solution notebook.

The transformations follow nbgrader 0.9's ``generate_assignment`` preprocessors
(``ClearSolutions``, ``ClearHiddenTests``, ``ClearOutput``, ``LockCells``) so that a
notebook released by :func:`release` looks to a student exactly like nbgrader's release.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat
from nbformat import NotebookNode

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS_DIR = ROOT / "solutions"
EXERCISES_DIR = ROOT / "exercises"

CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
TEXT_STUB = "YOUR ANSWER HERE"
BEGIN_SOLUTION, END_SOLUTION = "BEGIN SOLUTION", "END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"


def meta(cell: NotebookNode) -> dict:
    """Return the cell's ``nbgrader`` metadata (empty for ordinary cells)."""
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def is_grade(cell: NotebookNode) -> bool:
    return bool(meta(cell).get("grade", False))


def is_solution(cell: NotebookNode) -> bool:
    return bool(meta(cell).get("solution", False))


def is_locked(cell: NotebookNode) -> bool:
    """True for cells whose source the grader takes from the solution notebook."""
    m = meta(cell)
    if not m or m.get("solution", False):
        return False
    return bool(m.get("grade", False) or m.get("locked", False))


def is_test(cell: NotebookNode) -> bool:
    """An autograded test cell: a grade cell that is not an answer."""
    return cell.cell_type == "code" and is_grade(cell) and not is_solution(cell)


def is_written(cell: NotebookNode) -> bool:
    """A manually graded written answer (markdown, grade and solution)."""
    return cell.cell_type == "markdown" and is_grade(cell) and is_solution(cell)


def grade_id(cell: NotebookNode) -> str | None:
    return meta(cell).get("grade_id")


def _replace_region(source: str, begin: str, end: str, stub: list[str] | None) -> tuple[str, bool]:
    """Drop the lines from ``begin`` to ``end`` (inclusive); put ``stub`` where they were."""
    out: list[str] = []
    inside = found = False
    for line in source.split("\n"):
        if begin in line:
            if inside:
                raise ValueError(f"nested {begin!r} in cell:\n{source}")
            inside = found = True
            indent = re.match(r"\s*", line).group(0)
            out.extend(indent + s for s in stub or [])
        elif end in line:
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{begin!r} without {end!r} in cell:\n{source}")
    return "\n".join(out), found


def student_source(cell: NotebookNode) -> str:
    """The source a student receives for one cell (solutions and hidden tests removed)."""
    source = cell.source
    if is_grade(cell) and not is_solution(cell):
        source, _ = _replace_region(source, BEGIN_HIDDEN, END_HIDDEN, None)
    stub = CODE_STUB if cell.cell_type == "code" else TEXT_STUB
    source, replaced = _replace_region(source, BEGIN_SOLUTION, END_SOLUTION, stub.split("\n"))
    if replaced and not is_solution(cell):
        raise ValueError(f"solution region in a cell not marked as a solution:\n{cell.source}")
    if is_solution(cell) and not replaced:
        source = stub
    return source


def _lock(cell: NotebookNode) -> None:
    # nbgrader's LockCells with its defaults
    if is_solution(cell):
        cell.metadata["deletable"] = False
    elif is_grade(cell) or is_locked(cell):
        cell.metadata["deletable"] = False
        cell.metadata["editable"] = False


def release(nb: NotebookNode) -> NotebookNode:
    """Return the student version of a solution notebook (the input is not modified)."""
    out = copy.deepcopy(nb)
    for cell in out.cells:
        cell.source = student_source(cell)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
        _lock(cell)
    out.metadata.pop("celltoolbar", None)
    return out


def read(path: str | Path) -> NotebookNode:
    return nbformat.read(str(path), as_version=4)


def dumps(nb: NotebookNode) -> str:
    """Serialise deterministically (nbformat's own layout plus a final newline)."""
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def generate(
    solutions_dir: Path = SOLUTIONS_DIR, exercises_dir: Path = EXERCISES_DIR, *, check: bool = False
) -> list[Path]:
    """Write ``exercises/exNN_*.ipynb`` from ``solutions/``; return the files that changed.

    With ``check=True`` nothing is written: the return value lists the exercise files that
    are stale, missing or have no solution any more.
    """
    changed: list[Path] = []
    wanted = {}
    for src in sorted(Path(solutions_dir).glob("ex*.ipynb")):
        wanted[src.name] = dumps(release(read(src)))
    exercises_dir = Path(exercises_dir)
    for name, text in wanted.items():
        dest = exercises_dir / name
        if not dest.exists() or dest.read_text(encoding="utf-8") != text:
            changed.append(dest)
            if not check:
                exercises_dir.mkdir(parents=True, exist_ok=True)
                dest.write_text(text, encoding="utf-8")
    for stale in sorted(exercises_dir.glob("ex*.ipynb")):
        if stale.name not in wanted:
            changed.append(stale)
            if not check:
                stale.unlink()
    return changed
