"""The working copy that ``python3 course.py lab`` opens (tools/working_copy.py).

Using the course must not break the course: a learner's saved notebooks live in the
git-ignored ``workspace/``, never overwritten once changed, and the repository stays as
committed, so the test suite's repository checks and ``git pull`` keep working.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import working_copy as ws
from repo_checks import load_notebook, output_problems

ROOT = Path(__file__).resolve().parents[1]


def _small_root(tmp_path: Path) -> Path:
    """A copy of the repository's layout with two chapters, to change at will."""
    root = tmp_path / "repo"
    for folder, pattern in (("notebooks/ko", "0[12]_*"), ("notebooks/en", "0[12]_*"),
                            ("exercises", "ex0[12]_*")):
        (root / folder).mkdir(parents=True)
        for p in sorted((ROOT / folder).glob(pattern + ".ipynb")):
            shutil.copy(p, root / folder / p.name)
    shutil.copytree(ROOT / "exam", root / "exam")
    shutil.copy(ROOT / "README.md", root / "README.md")
    return root


def _save_with_outputs(path: Path) -> None:
    """What JupyterLab does on save after "run all": outputs and execution counts."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for count, cell in enumerate((c for c in nb["cells"] if c["cell_type"] == "code"), 1):
        cell["execution_count"] = count
        cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["ran\n"]}]
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")


def test_first_start_copies_every_lesson_and_exercise(tmp_path):
    work = tmp_path / "workspace"
    report = ws.sync(ROOT, work)
    expected = ws.sources(ROOT)
    assert len(expected) >= 3 * 10 and sorted(report.copied) == sorted(expected)
    for rel in expected:
        assert (work / rel).read_bytes() == (ROOT / rel).read_bytes(), rel
    assert ws.sync(ROOT, work).lines() == []  # a second start changes nothing


def test_links_of_the_contents_page_and_the_lessons_stay_inside_the_workspace(tmp_path):
    work = tmp_path / "workspace"
    ws.sync(ROOT, work)
    contents = "".join(load_notebook(work / ws.CONTENTS)["cells"][1]["source"])
    links = re.findall(r"\]\(([^)]+\.ipynb)\)", contents)
    assert len(links) >= 30
    lesson_links = []
    for lesson in sorted((work / "notebooks" / "ko").glob("*.ipynb")):
        text = "".join("".join(c["source"]) for c in load_notebook(lesson)["cells"])
        lesson_links += [(lesson.parent, link) for link in
                         re.findall(r"\]\((\.\./[^)#]+)\)", text)]
    assert lesson_links, "the lessons link to their exercises and the exam pack"
    for base, link in [(work, link) for link in links] + lesson_links:
        target = (base / link).resolve()
        assert target.exists(), link
        # the exercise a lesson links to is the learner's copy, never the repository's
        assert target.is_relative_to(work.resolve()) or "exam" in target.parts, link


def test_a_changed_copy_is_never_overwritten_an_untouched_one_follows(tmp_path):
    root, work = _small_root(tmp_path), tmp_path / "workspace"
    ws.sync(root, work)
    mine = work / "notebooks/ko" / sorted(p.name for p in (root / "notebooks/ko").iterdir())[0]
    untouched = work / "notebooks/en" / mine.name
    _save_with_outputs(mine)
    saved = mine.read_bytes()
    for rel in (f"notebooks/ko/{mine.name}", f"notebooks/en/{mine.name}"):  # a git pull
        nb = load_notebook(root / rel)
        nb["cells"][0]["source"].append("\nnew sentence")
        (root / rel).write_text(json.dumps(nb, indent=1), encoding="utf-8")

    report = ws.sync(root, work)
    assert mine.read_bytes() == saved
    assert report.kept == [f"notebooks/ko/{mine.name}"]
    assert report.updated == [f"notebooks/en/{mine.name}"]
    assert untouched.read_bytes() == (root / "notebooks/en" / mine.name).read_bytes()
    assert any("course.py fresh 01" in line for line in report.lines())
    assert ws.sync(root, work).updated == []  # the update is remembered


def test_fresh_moves_the_old_copy_to_backup_and_copies_the_chapter(tmp_path):
    root, work = _small_root(tmp_path), tmp_path / "workspace"
    ws.sync(root, work)
    exercise = next((work / "exercises").glob("ex02_*.ipynb"))
    _save_with_outputs(exercise)
    saved = exercise.read_bytes()
    done = ws.fresh(root, ["2"], work)
    assert sorted(Path(p).name[:4] for p in done) == ["02_u", "02_u", "ex02"]
    assert exercise.read_bytes() == (root / "exercises" / exercise.name).read_bytes()
    (backup,) = (work / "backup").glob(f"*/exercises/{exercise.name}")
    assert backup.read_bytes() == saved  # nothing of the learner's is lost
    with pytest.raises(ValueError, match="chapter must be one of"):
        ws.fresh(root, ["42"], work)


def _git(cwd: Path, *args: str) -> str:
    out = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                         env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
                              "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
                              "HOME": str(cwd), "PATH": "/usr/bin:/bin"})
    return out.stdout


def clone_with_work_saved(tmp_path: Path) -> tuple[Path, Path]:
    """An upstream repository and a clone whose every workspace copy was saved with outputs."""
    upstream, clone = tmp_path / "upstream.git", tmp_path / "clone"
    _git(tmp_path, "clone", "--quiet", "--bare", str(ROOT), str(upstream))
    _git(tmp_path, "clone", "--quiet", str(upstream), str(clone))
    ws.sync(clone)
    for rel in ws.sources(clone):
        _save_with_outputs(clone / ws.FOLDER / rel)
    return upstream, clone


def test_working_in_the_copy_leaves_the_repository_clean_and_pullable(tmp_path):
    upstream, clone = clone_with_work_saved(tmp_path)
    assert _git(clone, "status", "--porcelain") == ""
    for folder in ("notebooks", "exercises", "solutions"):
        for path in (clone / folder).rglob("*.ipynb"):
            assert output_problems(load_notebook(path), path.name) == []
    build = subprocess.run([sys.executable, "tools/build_notebooks.py", "--check"], cwd=clone,
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stdout

    # upstream moves on (a lesson changes); the learner pulls and starts the lab again
    other = tmp_path / "other"
    _git(tmp_path, "clone", "--quiet", str(upstream), str(other))
    lesson = next((other / "notebooks" / "ko").glob("01_*.ipynb"))
    lesson.write_text(lesson.read_text(encoding="utf-8").replace("01.", "01 ·", 1),
                      encoding="utf-8")
    _git(other, "commit", "--quiet", "-am", "a lesson changes")
    _git(other, "push", "--quiet", "origin", "HEAD")
    _git(clone, "pull", "--quiet", "--ff-only")
    assert _git(clone, "status", "--porcelain") == ""
    report = ws.sync(clone)
    assert report.kept == [f"notebooks/ko/{lesson.name}"]  # the learner's saved copy stays
