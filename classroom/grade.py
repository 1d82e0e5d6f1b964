"""Grade a collected set with the course's grader and write nbgrader's feedback files.

    nbgrader collect ex01              # exchange inbound -> ~/course/submitted/<student>/ex01/
    python classroom/grade.py ex01     # grade every submission, write grades and feedback
    nbgrader release_feedback ex01     # students then press "Fetch Feedback"

What it does, in the course folder (default ``~/course``):

1. copies each ``submitted/<student>/<set>/*.ipynb`` (regular files only) to
   ``grading/<set>/<student>/``;
2. runs ``python -m course_lib.grading grading/<set> --csv grades-<set>.csv --json
   --solutions SOLUTIONS``, which grades every notebook in its own kernel, each in its own
   bubblewrap sandbox, against this checkout's ``solutions/`` (the grader's options, e.g.
   ``--cell-timeout 60`` or ``--memory 1GiB``, can follow ``--``; where no sandbox can
   start it grades nothing and says why, and ``-- --no-sandbox`` is for trusted work only);
3. writes ``feedback/<student>/<set>/<notebook>.html`` beside the ``timestamp.txt`` and
   ``submission_secret.txt`` nbgrader's ``collect`` left, which is what
   ``nbgrader release_feedback`` publishes.
"""

from __future__ import annotations

import argparse
import html
import json
import shutil
import subprocess
import sys
from pathlib import Path

SOLUTIONS = Path(__file__).resolve().parents[1] / "solutions"
REFUSED = 3  # the grader's exit status when no sandbox can start (course_lib.grading)
FEEDBACK_STYLE = """
body { font-family: "Noto Sans KR", "NanumGothic", "DejaVu Sans", sans-serif; margin: 2em;
       max-width: 60em; line-height: 1.5; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #bbb; padding: 0.4em 0.6em; text-align: left; vertical-align: top; }
td.score { text-align: right; }
td:nth-child(-n+2), th:nth-child(-n+2) { width: 1%; white-space: nowrap; }
pre { white-space: pre-wrap; margin: 0; font-size: 0.95em; }
"""


def stage(course: Path, assignment: str) -> tuple[Path, list[str]]:
    """Copy the collected notebooks to ``grading/<set>/<student>/``; return (folder, skipped)."""
    staging = course / "grading" / assignment
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    skipped = []
    for folder in sorted((course / "submitted").glob(f"*/{assignment}")):
        student = folder.parent.name
        for notebook in sorted(folder.glob("*.ipynb")):
            if notebook.is_symlink() or not notebook.is_file():
                skipped.append(f"{student}/{notebook.name}: not a regular file")
                continue
            (staging / student).mkdir(exist_ok=True)
            shutil.copyfile(notebook, staging / student / notebook.name)
    return staging, skipped


def run_grader(staging: Path, csv_path: Path, extra: list[str]) -> list[dict]:
    """``python -m course_lib.grading FOLDER --csv CSV --json``; return its reports.

    The grader's messages (its progress bar on a terminal, a refusal, the ``--no-sandbox``
    warning) go straight to this terminal."""
    cmd = [sys.executable, "-m", "course_lib.grading", str(staging), "--csv", str(csv_path),
           "--json", "--solutions", str(SOLUTIONS), *extra]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    if proc.returncode == REFUSED:
        raise RuntimeError("샌드박스를 시작할 수 없어 채점하지 않았습니다 / no sandbox can "
                           "start here, so nothing was graded: the reason is above, and "
                           "classroom/GUIDE.ko.md (GUIDE.en.md), section 2, step 4, says how "
                           "to set one up")
    if proc.returncode != 0:
        raise RuntimeError(f"the grader failed (exit status {proc.returncode}; its message "
                           "is above)")
    return json.loads(proc.stdout)


def sandbox_line(reports: list[dict]) -> str:
    """One line saying how the submissions' code was confined."""
    loose = [r for r in reports if not r.get("sandbox", {}).get("used")]
    if loose:
        return (f"경고 / warning: {len(loose)} of {len(reports)} graded WITHOUT a sandbox: "
                "their code ran as you, with your files and network")
    tools = sorted({r["sandbox"].get("tool") or "bubblewrap" for r in reports})
    return (f"샌드박스 / sandbox: {', '.join(tools)}, one per submission "
            f"({len(reports)} graded)")


def feedback_html(report: dict, student: str, assignment: str, timestamp: str) -> str:
    """A student's feedback page (ko + en) from one grader report; no test source in it."""
    rows = []
    for q in report["questions"]:
        mark = ("수동 채점 / manual" if q["manual"]
                else f"{q['score']:g} / {q['max_score']:g}")
        rows.append(f"<tr><td>{html.escape(q['id'])}</td><td class='score'>{mark}</td>"
                    f"<td><pre>{html.escape(q['feedback'])}</pre></td></tr>")
    errors = "".join(f"<li>{html.escape(e)}</li>" for e in report.get("errors", []))
    total = f"{report['score']:g} / {report['max_score']:g}"
    manual = report.get("manual_max_score", 0)
    return (
        "<!DOCTYPE html>\n<html lang='ko'><head><meta charset='utf-8'>"
        f"<title>{html.escape(assignment)} · {html.escape(student)}</title>"
        f"<style>{FEEDBACK_STYLE}</style></head><body>\n"
        f"<h1>{html.escape(assignment)} 피드백 / feedback</h1>\n"
        f"<p>학생 / student: <b>{html.escape(student)}</b> · 제출 / submitted: "
        f"{html.escape(timestamp)}</p>\n"
        f"<p>자동 채점 합계 / autograded total: <b>{total}</b>"
        + (f" (+ 서술형 {manual:g}점: 강사가 채점 / + {manual:g} point(s) for written "
           "answers, graded by your teacher)" if manual else "") + "</p>\n"
        "<table><tr><th>문항 / question</th><th>점수 / score</th>"
        "<th>피드백 / feedback</th></tr>\n" + "\n".join(rows) + "\n</table>\n"
        + (f"<h2>채점 중 문제 / problems while grading</h2><ul>{errors}</ul>\n" if errors else "")
        + "</body></html>\n")


def write_feedback(course: Path, assignment: str, staging: Path,
                   reports: list[dict]) -> list[Path]:
    """Write one feedback page per graded notebook where nbgrader's release looks for it."""
    written = []
    for report in reports:
        relative = Path(report["notebook"]).resolve().relative_to(staging.resolve())
        student, name = relative.parts[0], relative.stem
        submitted = course / "submitted" / student / assignment
        folder = course / "feedback" / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        timestamp = ""
        for meta in ("timestamp.txt", "submission_secret.txt"):
            if (submitted / meta).is_file():
                shutil.copyfile(submitted / meta, folder / meta)
        if (folder / "timestamp.txt").is_file():
            timestamp = (folder / "timestamp.txt").read_text(encoding="utf-8").strip()
        page = folder / f"{name}.html"
        page.write_text(feedback_html(report, student, assignment, timestamp), encoding="utf-8")
        written.append(page)
    return written


def grade_assignment(course: Path, assignment: str, extra: list[str] | None = None) -> dict:
    """Stage, grade and write feedback; return ``{"reports", "csv", "feedback", "skipped"}``."""
    if not (course / "submitted").is_dir():
        raise FileNotFoundError(f"{course / 'submitted'} does not exist: run "
                                f"`nbgrader collect {assignment}` first")
    staging, skipped = stage(course, assignment)
    csv_path = course / f"grades-{assignment}.csv"
    reports = run_grader(staging, csv_path, list(extra or []))
    feedback = write_feedback(course, assignment, staging, reports)
    return {"reports": reports, "csv": csv_path, "feedback": feedback, "skipped": skipped}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(prog="python classroom/grade.py",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("assignment", help="the set to grade, e.g. ex01")
    parser.add_argument("--course", type=Path, default=Path("~/course").expanduser(),
                        help="the course folder (default ~/course)")
    args = parser.parse_args(argv)
    try:
        result = grade_assignment(args.course, args.assignment, extra)
    except (FileNotFoundError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    staging = args.course / "grading" / args.assignment
    for report in result["reports"]:
        who = Path(report["notebook"]).resolve().relative_to(staging.resolve())
        print(f"{str(who):<40} {report['score']:g} / {report['max_score']:g}"
              + (f"  ! {'; '.join(report['errors'])}" if report["errors"] else ""))
    for line in result["skipped"]:
        print(f"skipped {line}")
    if result["reports"]:
        print(sandbox_line(result["reports"]))
    print(f"grades: {result['csv']}\nfeedback pages: {len(result['feedback'])} "
          f"(publish with `nbgrader release_feedback {args.assignment}`)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
