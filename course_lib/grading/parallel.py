"""A whole class at once: grade a folder in parallel, resumably, with feedback files.

``grade_folder`` grades every notebook under a folder with ``jobs`` worker processes,
each grading one submission at a time in its own sandbox (and booting its next kernel
while it grades). As each submission is done it writes

* ``FEEDBACK/<path>.md`` (``FEEDBACK`` is ``grades-feedback/`` beside ``grades.csv``
  unless given): the student's feedback (Korean and English, every question's
  whole feedback, never the source of a hidden test), and
* ``FEEDBACK/.reports/<path>.json``: the full report and a key made from the notebook's
  bytes, the solutions and the options,

so an interrupted run (Ctrl-C) resumes where it stopped: a submission whose key is
unchanged is not graded again. The CSV is written once everything is graded.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import csv
import hashlib
import json
import multiprocessing
import multiprocessing.util
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course_lib.grading import notebook as nbg
from course_lib.grading import submission
from course_lib.grading.feedback import feedback_markdown
from course_lib.grading.limits import Limits
from course_lib.grading.runner import (
    TIME_LIMIT,
    grade,
    load_solutions,
    new_report,
    preimport,
    resolve_sandbox,
)
from course_lib.grading.sandbox import (
    Sandbox,
    kill_all,
    kill_all_and_exit,
    sweep_dead_graders,
)

STATE_DIR = ".reports"
#: a worker that dies (it should not: kernels run in sandboxes) costs its submission
#: a second try, then an error report
_ATTEMPTS = 2


class GradingInterrupted(KeyboardInterrupt):
    """Ctrl-C during a folder: ``done`` of ``total`` submissions are graded and saved."""

    def __init__(self, done: int, total: int):
        super().__init__(f"{done} of {total} graded")
        self.done, self.total = done, total


@dataclass(frozen=True)
class _Options:
    solutions_dir: str
    cell_timeout: float
    call_timeout: float
    time_limit: float
    sandboxed: bool
    limits: Limits

    def fingerprint(self) -> str:
        """Everything besides the notebook that changes a grade."""
        digest = hashlib.sha256(json.dumps(
            [self.cell_timeout, self.call_timeout, self.time_limit, self.sandboxed,
             self.limits.as_dict()]).encode())
        for path in sorted(Path(self.solutions_dir).glob("ex*.ipynb")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        return digest.hexdigest()


def find_submissions(folder: str | Path) -> list[Path]:
    """Every ``*.ipynb`` under ``folder`` (links included, to be refused with a report;
    linked folders are listed, not followed), without checkpoints or hidden folders."""
    folder = Path(folder)
    found: list[Path] = []
    for here, dirs, files in os.walk(folder, followlinks=False):
        keep = []
        for name in sorted(dirs):
            path = Path(here, name)
            if name.startswith(".") or name == "__pycache__":
                continue
            if path.is_symlink():
                found.append(path)  # graded as a bad file: a link is never followed
            else:
                keep.append(name)
        dirs[:] = keep
        found += [Path(here, n) for n in sorted(files) if n.endswith(".ipynb")]
    return sorted(found)


def _key(path: Path, base: str) -> str:
    digest = hashlib.sha256(base.encode())
    try:
        digest.update(submission.read_bytes(path))
    except submission.BadSubmission as exc:
        info = os.lstat(path)
        digest.update(f"bad:{exc}:{info.st_size}:{info.st_mtime_ns}".encode())
    return digest.hexdigest()


def grade_folder(
    folder: str | Path,
    csv_path: str | Path,
    *,
    jobs: int | None = None,
    feedback_dir: str | Path | None = None,
    resume: bool = True,
    progress: bool | None = None,
    solutions_dir: str | Path = nbg.SOLUTIONS_DIR,
    cell_timeout: float = 30.0,
    call_timeout: float = 10.0,
    time_limit: float = TIME_LIMIT,
    sandbox: bool | Sandbox = True,
    limits: Limits | None = None,
) -> list[dict]:
    """Grade every notebook under ``folder``; write the CSV and one feedback file each.

    Parameters
    ----------
    folder : str or Path
        The submissions (any layout, e.g. nbgrader's ``submitted/STUDENT/ASSIGNMENT/``).
    csv_path : str or Path
        One row per question and a ``TOTAL`` row per submission.
    jobs : int, optional
        Submissions graded at once (default: the number of cores).
    feedback_dir : str or Path, optional
        Where feedback files go (default: ``grades-feedback/`` beside ``grades.csv``).
    resume : bool
        Reuse the saved report of a submission graded before with the same notebook,
        solutions and options (default). ``False`` grades everything again.
    progress : bool, optional
        Show a progress bar with an ETA (default: when stderr is a terminal).
    solutions_dir, cell_timeout, call_timeout, time_limit, sandbox, limits
        As in :func:`course_lib.grading.runner.grade`.

    Returns
    -------
    list of dict
        The reports, in the order of the files.

    Raises
    ------
    SandboxUnavailable
        Before anything runs, when a sandbox is asked for and none works here.
    GradingInterrupted
        On Ctrl-C, after saving what was finished.
    """
    folder = Path(folder)
    box = resolve_sandbox(sandbox, limits)
    options = _Options(str(solutions_dir), cell_timeout, call_timeout, time_limit,
                       box is not None, box.limits if box is not None else limits or Limits())
    feedback_dir = Path(feedback_dir) if feedback_dir else default_feedback_dir(csv_path)
    files = find_submissions(folder)
    base = options.fingerprint()
    reports: dict[Path, dict] = {}
    todo: list[tuple[Path, str]] = []
    for path in files:
        key = _key(path, base)
        saved = _load(feedback_dir, folder, path, key) if resume else None
        if saved is not None:
            saved["notebook"] = str(path)  # the same file, perhaps in a moved folder
            reports[path] = saved
        else:
            todo.append((path, key))
    bar = _progress(len(files), len(reports), progress)
    results = _run(todo, options, jobs)
    try:
        for path, key, report in results:
            report["graded_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
            _save(feedback_dir, folder, path, key, report)
            reports[path] = report
            bar.update(1)
    except KeyboardInterrupt:
        results.close()  # stops the workers now, not when this frame is collected
        raise GradingInterrupted(len(reports), len(files)) from None
    finally:
        results.close()
        bar.close()
    write_csv(csv_path, folder, [reports[p] for p in files])
    return [reports[p] for p in files]


def default_feedback_dir(csv_path: str | Path) -> Path:
    """``grades.csv`` -> ``grades-feedback/`` beside it."""
    csv_path = Path(csv_path)
    return csv_path.with_name(f"{csv_path.stem}-feedback")


def _progress(total: int, done: int, wanted: bool | None) -> Any:
    from tqdm import tqdm

    class Bar(tqdm):
        monitor_interval = 0  # no monitor thread: the workers are forked after this

    show = sys.stderr.isatty() if wanted is None else wanted
    return Bar(total=total, initial=done, unit="notebook", desc="grading", disable=not show,
               dynamic_ncols=True)


def _paths(feedback_dir: Path, folder: Path, path: Path) -> tuple[Path, Path]:
    rel = path.relative_to(folder)
    stem = rel.with_suffix("") if rel.suffix == ".ipynb" else rel
    return (feedback_dir / stem.with_name(stem.name + ".md"),
            feedback_dir / STATE_DIR / stem.with_name(stem.name + ".json"))


def _load(feedback_dir: Path, folder: Path, path: Path, key: str) -> dict | None:
    _, state = _paths(feedback_dir, folder, path)
    try:
        saved = json.loads(state.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return saved.get("report") if isinstance(saved, dict) and saved.get("key") == key else None


def _save(feedback_dir: Path, folder: Path, path: Path, key: str, report: dict) -> None:
    student, state = _paths(feedback_dir, folder, path)
    name = path.relative_to(folder).as_posix()
    _write_atomic(student, feedback_markdown(report, name))
    _write_atomic(state, json.dumps({"key": key, "report": report}, ensure_ascii=False,
                                    indent=1))


def _write_atomic(dest: Path, text: str) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, dest)


def write_csv(csv_path: str | Path, folder: Path, reports: list[dict]) -> None:
    """One row per question and a TOTAL row per submission (feedback on one line)."""
    Path(csv_path).parent.mkdir(parents=True, exist_ok=True)
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["submission", "exercise", "question", "score", "max_score", "manual",
                         "feedback", "limit", "sandboxed"])
        for rep in reports:
            sub = Path(rep["notebook"]).relative_to(folder)
            for q in rep["questions"]:
                writer.writerow([sub, rep["exercise"], q["id"], q["score"], q["max_score"],
                                 q["manual"], q["feedback"].replace("\n", " | "),
                                 q.get("limit") or "", ""])
            writer.writerow([sub, rep["exercise"], "TOTAL", rep["score"], rep["max_score"],
                             rep["manual_max_score"], "; ".join(rep["errors"]), "",
                             bool(rep.get("sandbox", {}).get("used"))])


# -- the worker processes -----------------------------------------------------------------
_WORKER: dict[str, Any] = {}


def _run(todo: list[tuple[Path, str]], options: _Options, jobs: int | None):
    """Yield (path, key, report) as submissions finish, ``jobs`` at a time."""
    if not todo:
        return
    jobs = max(1, min(jobs or default_jobs(), len(todo)))
    if jobs == 1:
        yield from _run_here(todo, options)
    else:
        yield from _run_pool(todo, options, jobs)


def _run_here(todo: list[tuple[Path, str]], options: _Options):
    """One at a time in this process (a kernel boots while the previous one is graded)."""
    state = _worker_state(options)
    try:
        for i, (path, key) in enumerate(todo):
            try:
                report = _grade_one(str(path), i + 1 < len(todo), state)
            except Exception as exc:  # noqa: BLE001 - one submission never stops the rest
                report = _failed(path, options, f"{type(exc).__name__}: {exc}")
            yield path, key, report
    finally:
        _close_next(state)


def _run_pool(todo: list[tuple[Path, str]], options: _Options, jobs: int):
    """``jobs`` worker processes, forked from this one (which has the grader imported)."""
    # fork is safe only while this process runs no other thread; otherwise the workers
    # start from a fresh server (slower: each imports the grader again)
    context = multiprocessing.get_context("fork" if threading.active_count() == 1
                                          else "forkserver")
    attempts = dict.fromkeys((p for p, _ in todo), 0)
    keys = dict(todo)
    pending = [p for p, _ in todo]
    while pending:
        pool = cf.ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker,
                                      initargs=(options,))
        futures: dict[cf.Future, Path] = {}
        stopped = False
        try:
            for i, path in enumerate(pending):
                attempts[path] += 1
                # boot a next kernel unless this is among the last ``jobs`` submissions
                futures[pool.submit(_grade_one, str(path), i < len(pending) - jobs)] = path
            pending = []
            for future in cf.as_completed(futures):
                path = futures[future]
                try:
                    report = future.result()
                except cf.process.BrokenProcessPool:
                    if attempts[path] < _ATTEMPTS:
                        pending.append(path)
                        continue
                    report = _failed(path, options, "the grader's worker process died")
                except Exception as exc:  # noqa: BLE001 - one submission never stops the rest
                    report = _failed(path, options, f"{type(exc).__name__}: {exc}")
                yield path, keys[path], report
        except BaseException:  # Ctrl-C, or the caller closed this generator
            stopped = True
            _stop_workers(pool)
            raise
        finally:
            pool.shutdown(wait=not stopped, cancel_futures=True)


def default_jobs() -> int:
    """The cores this process may use."""
    with contextlib.suppress(AttributeError, OSError):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _failed(path: Path, options: _Options, why: str) -> dict:
    report = new_report(path, None)
    report["sandbox"] = {"used": options.sandboxed}
    report["errors"].append(f"grading failed: {why}"[:500])
    return report


def _stop_workers(pool: cf.ProcessPoolExecutor) -> None:
    """End the workers now (SIGTERM: each closes its kernels; SIGKILL after 10 s)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        with contextlib.suppress(Exception):
            proc.terminate()
    for proc in processes:
        with contextlib.suppress(Exception):
            proc.join(10)
            if proc.is_alive():
                proc.kill()
                proc.join(5)
    sweep_dead_graders()  # what a worker killed outright left (as root: by its cgroups)


def _worker_state(options: _Options) -> dict[str, Any]:
    box = Sandbox(options.limits) if options.sandboxed else None  # checked by the main process
    solutions = load_solutions(options.solutions_dir)
    if box is None:  # unsandboxed kernels could write what the grader imports later
        preimport([c.source for nb in solutions.values() for c in nb.cells if nbg.is_test(c)])
    return {"box": box, "solutions": solutions, "options": options, "next": None}


def _init_worker(options: _Options) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process decides on Ctrl-C
    signal.signal(signal.SIGTERM, kill_all_and_exit)  # every sandbox, then the worker
    _WORKER.update(_worker_state(options))
    # (a pool's worker ends with os._exit: atexit would not run, these finalizers do)
    multiprocessing.util.Finalize(None, kill_all, exitpriority=10)


def _close_next(state: dict[str, Any]) -> None:
    kernel = state.pop("next", None)
    if kernel is not None:
        kernel.close()


def _spawn(state: dict[str, Any]):
    from course_lib.grading.remote import StudentKernel

    opts: _Options = state["options"]
    return StudentKernel(state["box"], cell_timeout=opts.cell_timeout,
                         call_timeout=opts.call_timeout)


def _grade_one(path: str, prespawn: bool, state: dict[str, Any] | None = None) -> dict:
    """Grade one submission with the booted kernel; boot the next one first if asked."""
    state = _WORKER if state is None else state
    kernel = state.pop("next", None) or _spawn(state)
    try:
        state["next"] = _spawn(state) if prespawn else None
    except BaseException:
        kernel.close()
        raise
    opts: _Options = state["options"]
    return grade(path, kernel=kernel, solutions=state["solutions"],
                 cell_timeout=opts.cell_timeout, call_timeout=opts.call_timeout,
                 time_limit=opts.time_limit)
