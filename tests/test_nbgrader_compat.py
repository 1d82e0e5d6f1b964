"""nbgrader agrees: its release equals exercises/, and its autograde gives our scores.

Runs nbgrader itself (generate_assignment, autograde) on a temporary course holding one
exercise set, for a correct and a blank submission, and compares every grade cell's score
with course_lib.grading's report on the same files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from submissions import sandbox_or_none

from course_lib.grading import notebook as nbg
from course_lib.grading.runner import grade_many

pytest.importorskip("nbgrader")
from nbgrader.api import Gradebook  # noqa: E402

SET = "ex01_intuition"
BIN = Path(sys.executable).parent


def _nbgrader(course: Path, *args: str) -> None:
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")  # alembic
    exe = shutil.which("nbgrader", path=env["PATH"])
    proc = subprocess.run([exe, *args], cwd=course, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        "c.CourseDirectory.course_id = 'gradient-descent'\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{root}/gradebook.db'\n"
        "c.Execute.timeout = 60\n",
        encoding="utf-8",
    )
    source = root / "source" / "ps1"
    source.mkdir(parents=True)
    shutil.copy(nbg.SOLUTIONS_DIR / f"{SET}.ipynb", source / f"{SET}.ipynb")
    _nbgrader(root, "generate_assignment", "ps1", "--force")  # also records ps1 in the database

    released = nbg.read(root / "release" / "ps1" / f"{SET}.ipynb")
    solution = nbg.read(nbg.SOLUTIONS_DIR / f"{SET}.ipynb")
    answers = {nbg.grade_id(c): c.source for c in solution.cells if nbg.is_solution(c)}
    for student in ("correct", "blank"):
        nb = nbg.read(root / "release" / "ps1" / f"{SET}.ipynb")
        if student == "correct":
            for cell in nb.cells:
                if nbg.is_solution(cell):
                    cell.source = answers[nbg.grade_id(cell)]
        dest = root / "submitted" / student / "ps1"
        dest.mkdir(parents=True)
        (dest / f"{SET}.ipynb").write_text(nbg.dumps(nb), encoding="utf-8")
    _nbgrader(root, "autograde", "ps1", "--force", "--create")  # --create: add the students
    return root, released


def test_nbgrader_release_equals_our_generated_exercise(course):
    _, released = course
    ours = nbg.read(nbg.EXERCISES_DIR / f"{SET}.ipynb")
    assert [c.source for c in released.cells] == [c.source for c in ours.cells]
    assert [c.cell_type for c in released.cells] == [c.cell_type for c in ours.cells]


def test_nbgrader_autograde_gives_the_same_scores(course):
    root, _ = course
    students = ("correct", "blank")
    paths = [root / "submitted" / s / "ps1" / f"{SET}.ipynb" for s in students]
    reports = dict(zip(students, grade_many(paths, sandbox=sandbox_or_none()), strict=True))
    gradebook = Gradebook(f"sqlite:///{root}/gradebook.db")
    try:
        for student in students:
            theirs = {g.name: g for g in
                      gradebook.find_submission_notebook(SET, "ps1", student).grades}
            ours = {q["id"]: q for q in reports[student]["questions"]}
            assert set(theirs) == set(ours)
            for gid, q in ours.items():
                assert theirs[gid].max_score == q["max_score"]
                if q["manual"]:
                    answered = "needs manual grading" in q["feedback"]
                    assert theirs[gid].needs_manual_grade == answered
                    assert (theirs[gid].auto_score or 0.0) == q["score"] == 0.0
                else:
                    assert theirs[gid].auto_score == q["score"], (student, gid, q["feedback"])
            auto = sum(q["score"] for q in ours.values())
            assert auto == (reports[student]["max_score"] if student == "correct" else 0.0)
    finally:
        gradebook.close()
