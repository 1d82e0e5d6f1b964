"""A day in class, in a real browser: the working copy and the feedback a student sees.

In a temporary clone of the repository: the workspace ``python3 course.py lab`` makes, served
with the options it uses.  JupyterLab must land on the copy's contents page; a lesson is run
and saved, an exercise gets a wrong answer, is run and saved.  The wrong answer's check must
show its short message (named values, hint), not a traceback.  Afterwards the clone is as
committed (the test suite's repository checks pass on it) and ``git pull`` fast-forwards.

Skipped when ``/usr/bin/chromium`` is missing, unless ``CI=true`` (then it fails).
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import working_copy
from lab_browser import chromium_page, command, jupyter_lab, open_notebook, require_chromium
from repo_checks import load_notebook, output_problems

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
LESSON = "notebooks/ko/01_intuition.ipynb"
EXERCISE = "exercises/ex05_momentum.ipynb"
WRONG_ANSWER = ("def momentum_step(w, g, buf, lr, momentum):\n"
                "    buf = momentum * buf - lr * g   # the velocity form, not PyTorch's\n"
                "    return w + buf, buf\n")

pytestmark = pytest.mark.browser


def _git(cwd: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "HOME": str(cwd),
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
           "PATH": "/usr/bin:/bin"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True,
                          text=True).stdout


def _lab_arguments(workspace_dir: Path) -> list[str]:
    spec = importlib.util.spec_from_file_location("course_launcher", ROOT / "course.py")
    course = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(course)
    return course.lab_arguments(workspace_dir)


def _cell_index(page, grade_id: str) -> int:
    return page.evaluate(
        "(id) => window.jupyterapp.shell.currentWidget.content.widgets.findIndex("
        " c => (c.model.getMetadata('nbgrader') || {}).grade_id === id)", grade_id)


def _run_all_and_save(page) -> None:
    command(page, "notebook:run-all-cells")
    page.wait_for_function(  # run-all stops at the first failing cell; wait until it has
        "() => { const w = window.jupyterapp.shell.currentWidget;"
        " return w.sessionContext.session?.kernel?.status === 'idle' &&"
        " ![...w.content.node.querySelectorAll('.jp-InputPrompt')]"
        "   .some(p => p.textContent.includes('*')); }", timeout=90_000, polling=500)
    command(page, "docmanager:save")


@pytest.fixture
def clone(tmp_path):
    """An upstream repository and a learner's clone of it, with a fresh workspace."""
    upstream, learner = tmp_path / "upstream.git", tmp_path / "learner"
    _git(tmp_path, "clone", "--quiet", "--bare", str(ROOT), str(upstream))
    _git(tmp_path, "clone", "--quiet", str(upstream), str(learner))
    working_copy.sync(learner)
    return upstream, learner


def test_a_class_works_in_the_copy_and_reads_feedback_at_a_glance(clone, tmp_path):
    require_chromium()
    upstream, learner = clone
    work = learner / working_copy.FOLDER
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with jupyter_lab(work, tmp_path / "home", _lab_arguments(work)[1:]) as url, \
            chromium_page(1280, 800) as page:
        page.goto(url, timeout=60_000)  # as `course.py lab` opens it: the server's default
        page.wait_for_selector(".jp-Notebook", timeout=45_000)
        assert page.url.split("?")[0].endswith(f"/lab/tree/{working_copy.CONTENTS}")
        page.wait_for_selector(".jp-RenderedMarkdown a[href*='01_intuition']", timeout=20_000)
        page.screenshot(path=str(ARTIFACTS / "working_copy_landing.png"))

        open_notebook(page, url, LESSON)
        # Korean tables stay tables and break between words only (no "파라미 터당")
        cells = page.evaluate(
            "() => [...document.querySelectorAll('.jp-RenderedMarkdown td')].map(td =>"
            " [td.textContent, getComputedStyle(td).wordBreak])")
        korean = [style for text, style in cells if re.search("[가-힣]", text)]
        _run_all_and_save(page)

        open_notebook(page, url, EXERCISE)
        answer = _cell_index(page, "ex05_q1_answer")
        page.evaluate("([i, src]) => window.jupyterapp.shell.currentWidget.content.widgets[i]"
                      ".model.sharedModel.setSource(src)", [answer, WRONG_ANSWER])
        _run_all_and_save(page)
        check = page.locator(".jp-Cell").nth(_cell_index(page, "ex05_q1"))
        check.scroll_into_view_if_needed()
        check.screenshot(path=str(ARTIFACTS / "feedback_wrong_answer.png"))
        shown = check.locator(".jp-OutputArea-output").inner_text()

    assert len(korean) >= 10 and set(korean) == {"keep-all"}, cells
    # the student sees the message, by name, every wrong part, and a hint; no traceback
    assert shown.startswith("✗ momentum_step(w=[1.0, 1.0]"), shown
    assert "new_w: 값이 다릅니다" in shown and "new_buf: 값이 다릅니다" in shown
    assert "힌트 / hint:" in shown
    for frame_text in ("Traceback", "checks.py", "File ", "CheckFailed"):
        assert frame_text not in shown, shown
    assert len(shown.splitlines()) <= 8

    # the copies were saved with their outputs ...
    for rel in (LESSON, EXERCISE):
        assert output_problems(load_notebook(work / rel), rel), f"{rel} was not saved with outputs"
    # ... and the repository is as committed: its checks pass and a pull fast-forwards
    assert _git(learner, "status", "--porcelain") == ""
    for folder in ("notebooks", "exercises", "solutions"):
        for path in (learner / folder).rglob("*.ipynb"):
            assert output_problems(load_notebook(path), path.name) == []
    for check_cmd in (["tools/build_notebooks.py", "--check"],
                      ["-m", "course_lib.grading", "generate", "--check"]):
        run = subprocess.run([sys.executable, *check_cmd], cwd=learner, capture_output=True,
                             text=True, timeout=120)
        assert run.returncode == 0, run.stdout + run.stderr
    other = tmp_path / "other"
    _git(tmp_path, "clone", "--quiet", str(upstream), str(other))
    lesson = load_notebook(other / LESSON)  # upstream changes the very lesson that was used
    lesson["cells"][0]["source"].append("\n")
    (other / LESSON).write_text(json.dumps(lesson, indent=1, ensure_ascii=False) + "\n",
                                encoding="utf-8")
    _git(other, "commit", "--quiet", "-am", "upstream moves on")
    _git(other, "push", "--quiet", "origin", "HEAD")
    _git(learner, "pull", "--quiet", "--ff-only")
    assert _git(learner, "status", "--porcelain") == ""
