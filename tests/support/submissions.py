"""Submissions the grader's tests build: model answers with chosen cells replaced or added.

Shared by tests/test_grading.py, tests/test_sandbox.py and tests/test_grading_folder.py
(``tests/support`` is on pytest's ``pythonpath``).
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from course_lib.grading import notebook as nbg
from course_lib.grading.sandbox import Sandbox, SandboxUnavailable

TUNING = nbg.SOLUTIONS_DIR / "ex09_tuning.ipynb"  # five independent questions, 1+2+2+1+1 points
TUNING_POINTS = [1, 2, 2, 1, 1]


def sandbox_or_none() -> bool:
    """True where the grader's sandbox works (scoring tests then run in it), else False:
    tests about scores still run locally without bubblewrap; the containment tests are
    marked ``sandbox`` and are required under CI=true (see conftest.py)."""
    try:
        Sandbox().check()
    except SandboxUnavailable:
        return False
    return True


def answer_source(q: int, path: Path = TUNING) -> str:
    """The model answer of question ``q`` of ex09 (or of another ``exNN`` set)."""
    sol = nbg.read(path)
    prefix = path.stem.split("_")[0]
    return next(c.source for c in sol.cells if nbg.grade_id(c) == f"{prefix}_q{q}_answer")


def make_submission(tmp: Path, name: str, answers: dict[int, str], *,
                    extra_after: dict | None = None, tests: str = "keep",
                    path: Path = TUNING) -> Path:
    """A student's copy of a set (ex09 by default) with the given answer cells (others:
    the model answers) and extra code cells after the cells with the given grade ids."""
    nb = nbg.release(nbg.read(path))
    prefix = path.stem.split("_")[0]
    cells = []
    for cell in nb.cells:
        gid = nbg.grade_id(cell) or ""
        if gid.endswith("_answer"):
            q = int(gid[len(prefix) + 2:].split("_")[0])
            cell.source = answers.get(q, answer_source(q, path))
        if nbg.is_test(cell) and tests == "delete":
            continue
        if nbg.is_test(cell) and tests == "pass":
            cell.source = "pass"
        cells.append(cell)
        for text in (extra_after or {}).get(gid, []):
            cells.append(nbformat.v4.new_code_cell(text))
    nb.cells = cells
    out = tmp / f"{name}.ipynb"
    nbformat.write(nb, str(out))
    return out


def make_variant(tmp: Path, stem: str, answers: dict[str, str]) -> Path:
    """A submission of any set: model answers except ``answers`` (grade id -> source)."""
    sol = nbg.read(nbg.SOLUTIONS_DIR / f"{stem}.ipynb")
    nb = nbg.release(sol)
    for cell, model in zip(nb.cells, sol.cells, strict=True):
        if nbg.is_solution(cell):
            cell.source = answers.get(nbg.grade_id(cell), model.source)
    path = tmp / f"{stem}-variant.ipynb"
    path.write_text(nbg.dumps(nb), encoding="utf-8")
    return path


def scores(report: dict) -> list[float]:
    return [q["score"] for q in report["questions"] if not q["manual"]]
