"""Grading a class: the course's grader (sandboxed, serial and parallel) against nbgrader.

One folder of submissions, laid out as nbgrader expects (``submitted/STUDENT/ps1/``),
is graded in the same run by

* ``nbgrader autograde ps1`` (one process, one kernel per notebook, no sandbox),
* ``python -m course_lib.grading submitted/ --jobs 1`` pinned to one core with ``taskset``
  (how grading scales with cores, measured on one machine),
* ``python -m course_lib.grading submitted/ --jobs 1`` (every kernel in its sandbox),
* the same with ``--jobs N`` for each N asked for (default: 2 and the number of cores),
* the same with ``--no-sandbox --jobs 1`` (what the sandbox itself costs).

Each is a fresh command, start-up included, as a teacher would run it; the phases
alternate over ``--repeat`` rounds and the fastest round of each is kept (other
processes only ever add time). The students' assignment holds two sets (ex01 and ex09);
half the notebooks are the model answers and half the blank exercises, and the script
checks that every grader gives the same total to every notebook.

Run:  .venv/bin/python benchmarks/grading.py [--students 12] [--repeat 1] [--jobs 2]
      [--output benchmarks/results/grading.md]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from course_lib.grading import notebook as nbg  # noqa: E402
from course_lib.grading.parallel import default_jobs  # noqa: E402
from course_lib.grading.sandbox import bwrap_version  # noqa: E402

SETS = ("ex01_intuition", "ex09_tuning")
BIN = Path(sys.executable).parent


def make_course(root: Path, students: int) -> Path:
    """An nbgrader course with assignment ps1 and ``students`` submissions of both sets."""
    root.mkdir(parents=True)
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        "c.CourseDirectory.course_id = 'gradient-descent'\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{root}/gradebook.db'\n"
        "c.Execute.timeout = 30\n", encoding="utf-8")
    source = root / "source" / "ps1"
    source.mkdir(parents=True)
    for stem in SETS:
        shutil.copy(nbg.SOLUTIONS_DIR / f"{stem}.ipynb", source)
    _nbgrader(root, "generate_assignment", "ps1", "--force")
    for i in range(students):
        folder = root / "submitted" / f"s{i:02d}" / "ps1"
        folder.mkdir(parents=True)
        for k, stem in enumerate(SETS):
            model = (i + k) % 2 == 0  # half model answers, half blank exercises
            shutil.copy((nbg.SOLUTIONS_DIR if model else nbg.EXERCISES_DIR) / f"{stem}.ipynb",
                        folder / f"{stem}.ipynb")
    return root


def _env() -> dict[str, str]:
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    return env


def _nbgrader(root: Path, *args: str) -> float:
    start = time.perf_counter()
    proc = subprocess.run([shutil.which("nbgrader", path=_env()["PATH"]), *args], cwd=root,
                          env=_env(), capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        sys.exit(f"nbgrader {' '.join(args)} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return time.perf_counter() - start


def nbgrader_totals(root: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook

    totals = {}
    with Gradebook(f"sqlite:///{root}/gradebook.db") as gb:
        for student in gb.students:
            for stem in SETS:
                nb = gb.find_submission_notebook(stem, "ps1", student.id)
                totals[f"{student.id}/ps1/{stem}.ipynb"] = nb.score
    return totals


def busy_seconds() -> float:
    """CPU-seconds the whole machine has spent busy since boot (``/proc/stat``).

    Its change over a phase, divided by the phase's wall time, is how many cores were busy:
    the sandboxed kernels run as other users in other namespaces, so the machine's count is
    the one that sees them all.
    """
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def ours(root: Path, tag: str, *args: str, cores: int | None = None
         ) -> tuple[float, dict[str, float]]:
    """Time the course grader on the class; ``cores``: pin it (and all it starts) to the
    first ``cores`` CPUs, so one run shows how grading scales with the cores it has."""
    out = root / f"grades-{tag}.csv"
    cmd = [sys.executable, "-m", "course_lib.grading", str(root / "submitted"), "--csv",
           str(out), "--regrade", "--json", *args]
    if cores is not None:
        cmd = ["taskset", "--cpu-list", f"0-{cores - 1}", *cmd]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=root, env=_env(), capture_output=True, text=True,
                          timeout=3600)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    reports = json.loads(proc.stdout)
    base = root / "submitted"
    return seconds, {Path(r["notebook"]).relative_to(base).as_posix(): r["score"]
                     for r in reports}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=12, help="students (2 notebooks each)")
    parser.add_argument("--repeat", type=int, default=1, help="rounds; the fastest is kept")
    parser.add_argument("--jobs", type=int, nargs="*", default=None,
                        help="parallel --jobs values to time (default: 2 and the cores)")
    parser.add_argument("--output", type=Path, help="also write the table to this Markdown file")
    args = parser.parse_args()
    if args.students < 1 or args.repeat < 1:
        parser.error("--students and --repeat must be at least 1")
    jobs = sorted(set(args.jobs if args.jobs is not None else [2, default_jobs()]) - {1})
    work = Path(tempfile.mkdtemp(prefix="grading-bench-"))
    try:
        root = make_course(work / "course", args.students)
        count = args.students * len(SETS)
        # (label, the course grader's options or None for nbgrader, cores to pin it to)
        phases = [("nbgrader autograde (no sandbox)", None, None)]
        if shutil.which("taskset") and default_jobs() > 1:  # the same grader on 1 core
            phases += [("course grader, sandbox, --jobs 1, pinned to 1 core", ["--jobs", "1"], 1)]
        phases += [("course grader, sandbox, --jobs 1", ["--jobs", "1"], None)]
        phases += [(f"course grader, sandbox, --jobs {n}", ["--jobs", str(n)], None)
                   for n in jobs]
        phases += [("course grader, --no-sandbox, --jobs 1", ["--jobs", "1", "--no-sandbox"],
                    None)]
        best: dict[str, float] = {}
        busy: dict[str, float] = {}  # cores busy (the whole machine) in the fastest round
        totals: dict[str, dict[str, float]] = {}
        for _ in range(args.repeat):
            for label, extra, cores in phases:
                cpu = busy_seconds()
                if extra is None:
                    seconds = _nbgrader(root, "autograde", "ps1", "--force", "--create")
                    totals[label] = nbgrader_totals(root)
                else:
                    seconds, totals[label] = ours(root, str(len(best)), *extra, cores=cores)
                if seconds < best.get(label, float("inf")):
                    best[label], busy[label] = seconds, (busy_seconds() - cpu) / seconds
        agree = all(t == totals[phases[0][0]] for t in totals.values())
        table = _table(best, busy, count, phases, agree)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(table)
    if args.output:
        command = "python benchmarks/grading.py " + " ".join(sys.argv[1:])
        args.output.write_text(f"# Grading a class: course grader vs nbgrader autograde\n\n"
                               f"Command: `{command.strip()}`\n\n{table}\n", encoding="utf-8")


def _table(best: dict[str, float], busy: dict[str, float], count: int, phases: list,
           agree: bool) -> str:
    nbgrader_s = best[phases[0][0]]
    serial = best["course grader, sandbox, --jobs 1"]
    lines = ["| grader | total (s) | s / notebook | vs nbgrader autograde | "
             "vs sandboxed --jobs 1 | cores busy | CPU-s / notebook |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for label, *_ in phases:
        seconds = best[label]
        lines.append(f"| {label} | {seconds:.1f} | {seconds / count:.2f} | "
                     f"{nbgrader_s / seconds:.2f}x faster | {serial / seconds:.2f}x | "
                     f"{busy[label]:.2f} of {os.cpu_count()} | "
                     f"{busy[label] * seconds / count:.2f} |")
    import nbgrader

    lines += ["", f"{count} notebooks ({count // len(SETS)} students x {len(SETS)} sets: "
              f"{', '.join(SETS)}; half model answers, half blank); every grader gave every "
              f"notebook the same total: {'yes' if agree else 'NO'}.",
              f"{platform.machine()}, {default_jobs()} cores, Python "
              f"{platform.python_version()}, nbgrader {nbgrader.__version__}, "
              f"{bwrap_version() or 'no bubblewrap'}, {time.strftime('%Y-%m-%d')}; "
              "fastest of the rounds, start-up included."]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
