"""Grade a submitted exercise notebook against its solution notebook.

How a submission is graded
--------------------------
1. Find its solution notebook in ``solutions/`` (notebook metadata, file name, or the
   grade ids it shares with each solution).
2. Rebuild it in the solution's cell order: answer cells and the student's own extra
   cells come from the submission; instructions, set-up cells and every test cell come
   from the solution, hidden tests included. Editing or deleting a test cell changes
   nothing.
3. Run the answer and set-up cells in a separate kernel, with a time limit per cell and a
   cap on stored output. A cell that hangs or kills the kernel is dropped: the kernel is
   restarted and the other cells re-run.
4. Run each test cell in the grader's own clean interpreter; the names the answers define
   are proxies whose calls run in the student's kernel and return plain data
   (:mod:`course_lib.grading.remote`). A question scores its points when its test cell
   runs without error, else 0. A question whose answer cell tampers with shared objects
   (:mod:`course_lib.grading.tamper`) scores 0.
5. Written answers (markdown cells with ``grade`` and ``solution``) are reported as
   needing manual grading: 0 automatic points, and their points are counted in
   ``manual_max_score``, not in ``max_score``. An unchanged stub is reported as
   unanswered.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import time
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from course_lib.grading import notebook as nbg
from course_lib.grading import submission, tamper
from course_lib.grading.feedback import format_table
from course_lib.grading.limits import Limits, limit_from_error, limit_from_text
from course_lib.grading.remote import KernelLost, RemoteError, StudentKernel
from course_lib.grading.sandbox import Sandbox, SandboxUnavailable

__all__ = ["SandboxUnavailable", "format_table", "grade", "grade_many", "resolve_sandbox"]

#: A test cell's calls into student code may take this many call time limits in total.
TEST_BUDGET_FACTOR = 3.0
#: Seconds one submission may take in all (restarts and replays included).
TIME_LIMIT = 600.0


@dataclass
class Question:
    id: str
    score: float
    max_score: float
    feedback: str
    manual: bool = False
    limit: str | None = None  # a resource limit one of its cells hit ("memory", ...)


@dataclass
class Step:
    kind: str  # "run" (student or set-up code), "test" or "written"
    source: str
    gid: str | None = None
    student: bool = False
    points: float = 0.0
    question: str | None = None


def load_solutions(solutions_dir: str | Path) -> dict[str, NotebookNode]:
    """Read every solution notebook once, before any student code runs."""
    return {p.stem: nbg.read(p) for p in sorted(Path(solutions_dir).glob("ex*.ipynb"))}


def identify(sub: NotebookNode, filename: str,
             solutions: str | Path | dict[str, NotebookNode]) -> str:
    """Return the name (``exNN_slug``) of the solution notebook a submission belongs to.

    Tried in order: the notebook's ``metadata.course_lib.exercise``, the file name, and
    the largest number of grade ids shared with a solution.

    Raises
    ------
    LookupError
        When no solution notebook matches.
    """
    if not isinstance(solutions, dict):
        solutions = load_solutions(solutions)
    named = sub.get("metadata", {}).get("course_lib", {}).get("exercise")
    if named in solutions:
        return named
    stem = Path(filename).stem
    for key in solutions:
        if stem == key or stem.startswith(key):
            return key
    ids = {nbg.grade_id(c) for c in sub.get("cells", []) if nbg.grade_id(c)}
    best, overlap = None, 0
    for key, sol in solutions.items():
        shared = len(ids & {nbg.grade_id(c) for c in sol.cells if nbg.grade_id(c)})
        if shared > overlap:
            best, overlap = key, shared
    if best is None:
        raise LookupError(f"no solution notebook matches {filename}")
    return best


def build_plan(sub: NotebookNode, sol: NotebookNode) -> list[Step]:
    """Merge a submission into its solution's cell order (see the module docstring)."""
    known = {nbg.grade_id(c) for c in sol.cells if nbg.grade_id(c)}
    answers: dict[str, str] = {}
    extras: dict[str | None, list[str]] = {}
    anchor: str | None = None
    for cell in sub.get("cells", []):
        gid = nbg.grade_id(cell)
        if gid in known:
            if gid not in answers:
                answers[gid] = _source(cell)
                anchor = gid
        elif cell.get("cell_type") == "code" and _source(cell).strip():
            extras.setdefault(anchor, []).append(_source(cell))
    steps = [Step("run", src, student=True) for src in extras.get(None, [])]
    for cell in sol.cells:
        gid = nbg.grade_id(cell)
        m = nbg.meta(cell)
        if nbg.is_test(cell):
            steps.append(Step("test", cell.source, gid, points=float(m.get("points", 0))))
        elif nbg.is_written(cell):
            text = answers.get(gid, nbg.TEXT_STUB)
            steps.append(Step("written", text, gid, True, float(m.get("points", 0))))
        elif cell.cell_type == "code" and nbg.is_solution(cell):
            steps.append(Step("run", answers.get(gid, nbg.student_source(cell)), gid, True))
        elif cell.cell_type == "code":
            steps.append(Step("run", cell.source, gid))
        steps.extend(Step("run", src, student=True) for src in extras.get(gid, []))
    question = None
    for step in reversed(steps):  # an answer belongs to the test cell that follows it
        if step.kind == "test":
            question = step.gid
        elif step.kind == "run":
            step.question = question
    return steps


def _source(cell: Any) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def resolve_sandbox(sandbox: bool | Sandbox | None = True,
                    limits: Limits | None = None) -> Sandbox | None:
    """The sandbox to grade in: ``True`` makes one (and checks that it works here),
    ``False``/``None`` means none (``--no-sandbox``), a :class:`Sandbox` is used as is.

    Raises
    ------
    SandboxUnavailable
        When ``sandbox`` is True and no sandbox can start here; the message says why.
    """
    if isinstance(sandbox, Sandbox):
        return sandbox
    if not sandbox:
        return None
    box = Sandbox(limits)
    box.check()
    return box


def new_report(path: str | Path, sandbox: Sandbox | None) -> dict[str, Any]:
    """An empty report: every key present, zero points."""
    return {"notebook": str(path), "exercise": None, "score": 0.0, "max_score": 0.0,
            "manual_max_score": 0.0, "questions": [], "errors": [],
            "sandbox": sandbox.describe() if sandbox is not None else {"used": False}}


def grade(
    path: str | Path,
    *,
    solutions_dir: str | Path = nbg.SOLUTIONS_DIR,
    cell_timeout: float = 30.0,
    call_timeout: float = 10.0,
    time_limit: float = TIME_LIMIT,
    sandbox: bool | Sandbox | None = True,
    limits: Limits | None = None,
    kernel: StudentKernel | None = None,
    solutions: dict[str, NotebookNode] | None = None,
) -> dict:
    """Grade one submission; always return a report, whatever the notebook does.

    Parameters
    ----------
    path : str or Path
        The submitted notebook.
    solutions_dir : str or Path
        Folder of solution notebooks (``solutions/``).
    cell_timeout, call_timeout : float
        Seconds allowed for one answer cell, and for one call of student code by a test.
    time_limit : float
        Seconds for the whole submission (restarts included); what is left ungraded
        then scores 0.
    sandbox : bool or Sandbox
        Run the kernel in a sandbox (default; see :mod:`course_lib.grading.sandbox`);
        ``False`` runs it as the grader's own user, for trusted notebooks only.
    limits : Limits, optional
        The sandbox's resource limits (default :class:`~course_lib.grading.limits.Limits`).
    kernel : StudentKernel, optional
        A freshly started kernel to use (and close); by default one is started here.
    solutions : dict, optional
        Solution notebooks already read by :func:`load_solutions` (``solutions_dir`` is
        then ignored).

    Returns
    -------
    dict
        ``{"notebook", "exercise", "score", "max_score", "manual_max_score",
        "questions": [{"id", "score", "max_score", "feedback", "manual", "limit"}],
        "errors", "sandbox"}``.

    Raises
    ------
    SandboxUnavailable
        When a sandbox is asked for and none can run here.
    """
    path = Path(path)
    box = kernel.sandbox if kernel is not None else resolve_sandbox(sandbox, limits)
    solutions = solutions if solutions is not None else load_solutions(solutions_dir)
    report = new_report(path, box)
    try:
        sub, warnings = submission.read(path)
        name = identify(sub, path.name, solutions)
    except (submission.BadSubmission, LookupError) as exc:
        report["errors"].append(f"cannot grade {_shown(path.name)}: {exc}")
        if kernel is not None:
            kernel.close()
        return report
    report["errors"].extend(warnings)
    sol = solutions[name]
    report["exercise"] = name
    options = {"cell_timeout": cell_timeout, "call_timeout": call_timeout,
               "time_limit": time_limit, "sandbox": box}
    try:
        steps = build_plan(sub, sol)
        questions = _grade_steps(steps, sol, report["errors"], options, kernel)
    except Exception as exc:  # noqa: BLE001 - e.g. a cell source the analysis chokes on
        report["errors"].append(f"grading stopped early: {type(exc).__name__}: {exc}"[:500])
        if kernel is not None:
            kernel.close()
        steps = build_plan(nbformat.v4.new_notebook(), sol)
        questions = [_ungraded(s) for s in steps if s.kind in ("test", "written")]
    report["questions"] = [asdict(q) for q in questions]
    report["score"] = sum(q.score for q in questions)
    report["max_score"] = sum(q.max_score for q in questions if not q.manual)
    report["manual_max_score"] = sum(q.max_score for q in questions if q.manual)
    return report


def _shown(name: str) -> str:
    """A file name safe to print (no control characters, bounded length)."""
    text = "".join(c if c.isprintable() else "?" for c in name)
    return repr(text[:120] + ("..." if len(text) > 120 else ""))


def _grade_steps(
    steps: list[Step], sol: NotebookNode, errors: list[str], options: dict[str, Any],
    kernel: StudentKernel | None = None,
) -> list[Question]:
    answer_names: set[str] = set()
    for cell in sol.cells:
        if cell.cell_type == "code" and nbg.is_solution(cell):
            answer_names |= tamper.defined_names(cell.source)
    tests = [s.source for s in steps if s.kind == "test"]
    preimport(tests)
    tampered = _tampering(steps, tamper.protected_names(tests, answer_names))
    scored: dict[str, Question] = {}
    hits: dict[str, str] = {}  # question -> the first limit one of its cells hit
    try:
        with contextlib.ExitStack() as stack:
            if kernel is None:
                kernel = StudentKernel(options["sandbox"], cell_timeout=options["cell_timeout"],
                                       call_timeout=options["call_timeout"])
            stack.callback(kernel.close)
            kernel.time_limit = options["time_limit"]
            kernel.hard_deadline = time.monotonic() + options["time_limit"]
            for step in steps:
                if time.monotonic() > kernel.hard_deadline:
                    errors.append(kernel.hit("submission time"))
                    break
                _do_step(step, kernel, answer_names, tampered, scored, hits)
    except BaseException as exc:  # noqa: BLE001 - the report must survive anything
        if isinstance(exc, KeyboardInterrupt | SystemExit):  # Ctrl-C, or told to stop
            raise
        errors.append(f"grading stopped early: {type(exc).__name__}: {exc}"[:500])
    return [scored.get(s.gid) or _ungraded(s) for s in steps if s.kind in ("test", "written")]


def _ungraded(step: Step) -> Question:
    return Question(step.gid, 0.0, step.points, "채점하지 못했습니다 / could not be graded",
                    step.kind == "written")


def _tampering(steps: list[Step], protected: set[str]) -> dict[str, list[str]]:
    """What each question's answer cells do to shared objects (question id -> findings)."""
    imported: set[str] = set()
    for step in steps:
        with contextlib.suppress(Exception):
            imported |= tamper.imported_modules(step.source)[1]
    found: dict[str, list[str]] = {}
    for step in steps:
        if step.kind == "run" and step.student and step.question:
            try:
                found.setdefault(step.question, []).extend(
                    tamper.findings(step.source, protected, imported))
            except Exception as exc:  # noqa: BLE001 - code we cannot analyse earns nothing
                found.setdefault(step.question, []).append(f"cannot analyse: {exc}"[:200])
    return found


def preimport(test_sources: list[str]) -> None:
    """Import what the test cells need before student code runs, so that files a student's
    kernel might write cannot change what the grader imports later.

    A sandboxed kernel cannot write anything the grader reads, so there it is enough to do
    this per set, just before its cells run; an unsandboxed one could, so :func:`grade_many`
    and the folder's workers then import every set's needs before the first kernel."""
    for source in test_sources:
        for module in tamper.imported_modules(source)[0]:
            with contextlib.suppress(Exception):
                importlib.import_module(module)


def _do_step(step: Step, kernel: StudentKernel, answer_names: set[str],
             tampered: dict[str, list[str]], scored: dict[str, Question],
             hits: dict[str, str]) -> None:
    if step.kind == "run":
        if step.source.strip():
            result = kernel.run_cell(step.source)
            if result.limit and step.student and step.question:
                hits.setdefault(step.question, result.limit)
    elif step.kind == "written":
        answered = step.source.strip() not in ("", nbg.TEXT_STUB)
        feedback = ("수동 채점 필요 / needs manual grading" if answered
                    else "답이 없습니다 / no answer")
        scored[step.gid] = Question(step.gid, 0.0, step.points, feedback, manual=True)
    elif tampered.get(step.gid):
        scored[step.gid] = Question(step.gid, 0.0, step.points, (
            "답안 셀이 공유 객체를 바꿉니다; 이 문항은 0점입니다 / an answer cell modifies "
            "shared objects, so this question earns nothing: "
            + "; ".join(tampered[step.gid][:5])))
    else:
        ok, feedback, limit = run_test(step.source, kernel, answer_names)
        limit = hits.get(step.gid) or limit
        if limit:  # a cell of this question (or its test's call) hit a resource limit
            lines = [kernel.hit(limit), "" if ok else feedback]
            scored[step.gid] = Question(step.gid, 0.0, step.points,
                                        "\n".join(x for x in lines if x), limit=limit)
        else:
            scored[step.gid] = Question(step.gid, step.points if ok else 0.0, step.points,
                                        feedback)


def run_test(source: str, kernel: StudentKernel,
             answer_names: set[str]) -> tuple[bool, str, str | None]:
    """Run one authoritative test cell in this (clean) process.

    Returns (passed, feedback, the resource limit a call into student code hit or None).
    """
    namespace: dict[str, Any] = {"__name__": "__course_checker__"}
    printed = io.StringIO()
    # many slow calls must not add up to much more than one time limit per question
    kernel.deadline = time.monotonic() + TEST_BUDGET_FACTOR * kernel.call_timeout
    try:
        for name in sorted(tamper.used_names(source) & answer_names):
            namespace[name] = kernel.lookup(name)
        with contextlib.redirect_stdout(printed):
            exec(compile(source, "<test cell>", "exec"), namespace)  # noqa: S102 - trusted
    except KernelLost as exc:
        return False, str(exc), exc.limit if exc.limit != "question time" else None
    except RemoteError as exc:
        limit = limit_from_error(exc.remote_types, exc.message)
        return False, f"답안 코드가 오류를 냈습니다 / your code raised {exc}", limit
    except AssertionError as exc:
        # a check that reports the student's error (check_function) names it in its text
        return False, str(exc) or _failed_line(source, exc), limit_from_text(str(exc))
    except Exception as exc:  # noqa: BLE001 - any other error fails the test
        return False, f"{type(exc).__name__}: {exc}"[:2000], None
    finally:
        kernel.deadline = float("inf")
    return True, printed.getvalue().strip()[-2000:], None


def _failed_line(source: str, exc: BaseException) -> str:
    lines = source.split("\n")
    lineno = next((f.lineno for f in reversed(traceback.extract_tb(exc.__traceback__))
                   if f.filename == "<test cell>"), None)
    if lineno is None:
        return "테스트 실패 / a test failed"
    before = "\n".join(lines[: lineno - 1])
    if before.count(nbg.BEGIN_HIDDEN) > before.count(nbg.END_HIDDEN):
        return "숨은 테스트 실패 / a hidden test failed"
    return f"테스트 실패 / test failed: {lines[lineno - 1].strip()}"


def grade_many(paths: list[str | Path], **kwargs: Any) -> list[dict]:
    """Grade several submissions one after another, booting each kernel while the
    previous one is graded (:func:`grade`'s keyword arguments apply to all)."""
    box = resolve_sandbox(kwargs.pop("sandbox", True), kwargs.pop("limits", None))
    timeouts = {k: kwargs[k] for k in ("cell_timeout", "call_timeout") if k in kwargs}
    solutions = load_solutions(kwargs.pop("solutions_dir", nbg.SOLUTIONS_DIR))
    if box is None:  # see preimport()
        preimport([c.source for nb in solutions.values() for c in nb.cells if nbg.is_test(c)])
    reports: list[dict] = []
    with contextlib.ExitStack() as stack:
        def spawn() -> StudentKernel:
            kernel = StudentKernel(box, **timeouts)
            stack.callback(kernel.close)
            return kernel

        upcoming = spawn() if paths else None
        for i, path in enumerate(paths):
            current, upcoming = upcoming, (spawn() if i + 1 < len(paths) else None)
            reports.append(grade(path, kernel=current, solutions=solutions, **kwargs))
    return reports


def grade_folder(folder: str | Path, csv_path: str | Path, **kwargs: Any) -> list[dict]:
    """Grade every notebook under ``folder``: :func:`course_lib.grading.parallel.grade_folder`."""
    from course_lib.grading.parallel import grade_folder as parallel_grade_folder

    return parallel_grade_folder(folder, csv_path, **kwargs)
