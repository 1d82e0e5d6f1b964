"""A whole class at once: parallel grading, Ctrl-C and resume, feedback files, isolation.

One folder holds two correct submissions, a blank one, two bad files and one that floods
its own sandbox (CPU threads, output, memory, processes, disk) while
the others are graded beside it. The command line is interrupted once it has saved a
result and then run again: nothing saved is graded twice, and the flood costs no one
else a point.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from submissions import TUNING_POINTS, make_submission, scores

from course_lib.grading import notebook as nbg
from course_lib.grading.parallel import STATE_DIR

pytestmark = pytest.mark.sandbox
ROOT = Path(__file__).resolve().parents[1]
FLOOD = [
    # two threads that spin until the kernel is stopped (the sandbox has one core)
    "import threading\n"
    "def spin():\n"
    "    while True:\n"
    "        pass\n"
    "for _ in range(2):\n"
    "    threading.Thread(target=spin, daemon=True).start()",
    "print('x' * 3_000_000)",  # output
    "import os\nfor i in range(100):\n    if os.fork() == 0:\n"  # processes (bounded)
    "        import time\n        time.sleep(3)\n        os._exit(0)",
    "hog = bytearray(600 << 20)",  # memory, under the limit
    "for i in range(30):\n    open(f'f{i}', 'wb').write(b'x' * (10 << 20))",  # the scratch disk
]  # (a frozen kernel is tests/test_sandbox.py's)


@pytest.fixture()
def folder(tmp_path):
    subs = tmp_path / "submitted"
    for student, stem in (("kim", "ex01_intuition"), ("lee", "ex09_tuning")):
        (subs / student).mkdir(parents=True)
        shutil.copy(nbg.SOLUTIONS_DIR / f"{stem}.ipynb", subs / student / f"{stem}.ipynb")
    (subs / "choi").mkdir()
    shutil.copy(nbg.EXERCISES_DIR / "ex05_momentum.ipynb", subs / "choi")
    (subs / "a-flood").mkdir()  # sorted first: it runs beside the others
    make_submission(subs / "a-flood", "ex09_tuning", {},
                    extra_after={"ex09_q2_answer": FLOOD})
    (subs / "bad").mkdir()
    (subs / "bad" / "link.ipynb").symlink_to(tmp_path / "elsewhere.ipynb")
    (subs / "bad" / "empty.ipynb").write_text("", encoding="utf-8")
    return subs


def _cli(folder: Path, out: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "course_lib.grading", str(folder), "--csv", str(out),
           "--jobs", "2", "--cell-timeout", "5", "--call-timeout", "3", "--json"]
    log = open(out.with_suffix(".log"), "a")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=log, text=True,
                            start_new_session=True)


def _saved(feedback: Path) -> dict[str, float]:
    """Saved reports: path -> modification time."""
    return {str(p.relative_to(feedback)): p.stat().st_mtime
            for p in (feedback / STATE_DIR).rglob("*.json")}


def test_a_class_is_graded_in_parallel_and_resumes_after_ctrl_c(folder, tmp_path):
    out, feedback = tmp_path / "grades.csv", tmp_path / "grades-feedback"
    proc = _cli(folder, out)
    deadline = time.monotonic() + 240
    while not _saved(feedback) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
    assert proc.wait(timeout=60) == 130
    log = out.with_suffix(".log").read_text()
    assert "interrupted" in log and "run the same command again" in log
    first = _saved(feedback)
    assert 1 <= len(first) < 6 and not out.exists()
    assert _sandboxes_left(timeout=15) == []  # the interrupted workers took theirs along

    proc = _cli(folder, out)
    assert proc.wait(timeout=300) == 0
    final = _saved(feedback)
    assert len(final) == 6
    assert all(final[name] == mtime for name, mtime in first.items())  # not graded again

    reports = {Path(r["notebook"]).relative_to(folder).as_posix(): r
               for r in _reports(feedback)}
    assert scores(reports["lee/ex09_tuning.ipynb"]) == TUNING_POINTS  # beside the flood
    kim = reports["kim/ex01_intuition.ipynb"]
    assert kim["score"] == kim["max_score"] == 5
    assert reports["choi/ex05_momentum.ipynb"]["score"] == 0
    flood = reports["a-flood/ex09_tuning.ipynb"]
    assert flood["sandbox"]["used"] and scores(flood)[0] == 1  # its question 1 stands
    assert flood["questions"][1]["limit"] == "processes"  # the first limit its cells hit
    assert "symbolic link" in " ".join(reports["bad/link.ipynb"]["errors"])
    assert "invalid JSON" in " ".join(reports["bad/empty.ipynb"]["errors"])

    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    totals = {r["submission"]: r for r in rows if r["question"] == "TOTAL"}
    assert set(totals) == set(reports) and all(r["sandboxed"] == "True" for r in totals.values())
    _check_feedback_files(folder, feedback)


def _sandboxes_left(timeout: float) -> list[str]:
    """The bwrap processes of sandboxes still alive after ``timeout`` s (their command
    lines name the sandbox's kernel folder), described for the failure message."""
    deadline = time.monotonic() + timeout
    while True:
        left = []
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and b'"/tmp/.kernel"' in (entry / "cmdline").read_bytes():
                    status = dict(line.split(":\t", 1) for line in
                                  (entry / "status").read_text().splitlines() if ":\t" in line)
                    left.append(f"pid {entry.name} ppid {status.get('PPid')} state "
                                f"{status.get('State')} uid {status.get('Uid', '').split()[:1]}")
            except OSError:
                pass
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.2)


def _reports(feedback: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8"))["report"]
            for p in (feedback / STATE_DIR).rglob("*.json")]


def _check_feedback_files(folder: Path, feedback: Path) -> None:
    """One Markdown file per submission, in both languages, without hidden test source."""
    hidden = set()
    for sol in nbg.SOLUTIONS_DIR.glob("ex*.ipynb"):
        for cell in nbg.read(sol).cells:
            if nbg.is_test(cell) and nbg.BEGIN_HIDDEN in cell.source:
                region = cell.source.split(nbg.BEGIN_HIDDEN, 1)[1].split(nbg.END_HIDDEN)[0]
                hidden |= {line.strip() for line in region.splitlines() if len(line.strip()) > 12}
    files = sorted(feedback.rglob("*.md"))
    assert len(files) == 6
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "채점 결과 / Grading report" in text
        assert not [line for line in hidden if line in text], path
    lee = (feedback / "lee" / "ex09_tuning.md").read_text(encoding="utf-8")
    assert "**7 / 7**" in lee and "사례" in lee and "case(s) passed" in lee
    assert os.path.exists(folder / "lee" / "ex09_tuning.ipynb")  # submissions untouched
