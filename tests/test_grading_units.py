"""Fast tests of the grading pieces that need no kernel: checks, release, tamper scan, codec."""

from __future__ import annotations

import re

import nbformat
import numpy as np
import pytest

from course_lib.grading import authoring, tamper
from course_lib.grading import notebook as nbg
from course_lib.grading.checks import (
    CheckFailed,
    check_close,
    check_function,
    check_raises,
    check_true,
)
from course_lib.grading.remote import Missing, RemoteError, RemoteObject, decode, encode
from course_lib.grading.runner import build_plan, identify

SOLUTIONS = sorted(nbg.SOLUTIONS_DIR.glob("ex*.ipynb"))
HANGUL = re.compile("[\uac00-\ud7a3]")


# -- checks -----------------------------------------------------------------------------
def test_check_close_feedback_names_input_expected_got_and_hint_in_both_languages():
    with pytest.raises(CheckFailed) as info:
        check_close("step", np.array([1.0, 2.5]), np.array([1.0, 2.0]), inputs={"lr": 0.1},
                    hint="look at the sign")
    msg = str(info.value)
    lines = msg.splitlines()
    assert "step(lr=0.1)" in lines[0]
    assert HANGUL.search(lines[1]) and "기대값" in lines[1]
    assert lines[2].strip().startswith("values differ") and "expected" in lines[2]
    assert "[1. , 2.5]" in msg or "2.5" in lines[2]
    assert "look at the sign" in lines[3]
    assert isinstance(info.value, AssertionError)


@pytest.mark.parametrize(
    ("got", "expected", "fragment"),
    [
        (np.zeros(3), np.zeros(2), "shape should be (2,), got (3,)"),
        (np.array([np.nan]), np.array([1.0]), "contains nan or inf"),
        ("oscillate", "converge", "the value differs"),
        (("a",), ("a", "b"), "expected 2 items, got 1"),
        (object(), 1.0, "not a number or NumPy array"),
        ([np.ones(2), 5.0], ([np.ones(2), 4.0], 5.0)[0], "[1]: 값이 다릅니다"),
    ],
)
def test_check_close_says_what_differs(got, expected, fragment):
    with pytest.raises(CheckFailed, match=re.escape(fragment)):
        check_close("f", got, expected)


def test_check_close_accepts_equal_values_of_any_supported_kind(capsys):
    check_close("f", (np.array([1.0, 2.0]), 3.0), (np.array([1.0, 2.0 + 1e-12]), 3.0))
    check_close("f", [("a", None)], [("a", None)])
    assert capsys.readouterr().out.count("passed") == 2


def test_check_function_uses_reference_and_copies_inputs():
    def mutating(x):
        x += 1.0  # in place: must not change what the reference sees
        return x

    check_function(mutating, [{"x": np.array([1.0])}], reference=lambda x: x + 1.0)
    with pytest.raises(CheckFailed, match=r"double\(x=2.0\)"):
        check_function(lambda x: 2 * x, [({"x": 2.0}, 5.0)], name="double")


def test_check_function_reports_not_implemented_and_errors():
    def stub(x):
        raise NotImplementedError()

    with pytest.raises(CheckFailed, match="not implemented yet"):
        check_function(stub, [({"x": 1}, 1)])
    with pytest.raises(CheckFailed, match="raised ZeroDivisionError"):
        check_function(lambda x: 1 / x, [({"x": 0}, 1.0)], name="inv")
    remote_stub = RemoteError(["NotImplementedError", "RuntimeError"], "")

    def remote(x):
        raise remote_stub

    with pytest.raises(CheckFailed, match="not implemented yet"):
        check_function(remote, [({"x": 1}, 1)])


def test_check_raises_and_check_true():
    check_raises(ValueError, int, "x")
    with pytest.raises(CheckFailed, match="expected ValueError, but nothing was raised"):
        check_raises(ValueError, int, "3")
    with pytest.raises(CheckFailed, match="expected ValueError, got TypeError"):
        check_raises(ValueError, int, None)
    with pytest.raises(CheckFailed, match="must hold"):
        check_true("c", np.bool_(False), ko="성립해야 합니다", en="must hold")
    with pytest.raises(CheckFailed):
        check_true("c", "yes", ko="참이어야", en="truthy is not True")


# -- release (compared with nbgrader's own preprocessors) ------------------------------------
@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_release_matches_nbgrader_preprocessors(path):
    pre = pytest.importorskip("nbgrader.preprocessors")
    ours = nbg.release(nbg.read(path))
    theirs = nbg.read(path)
    resources: dict = {}
    steps = (pre.LockCells(), pre.ClearSolutions(), pre.ClearOutput(), pre.ClearHiddenTests())
    for step in steps:
        theirs, resources = step.preprocess(theirs, resources)
    assert [c.source for c in ours.cells] == [c.source for c in theirs.cells]
    for a, b in zip(ours.cells, theirs.cells, strict=True):
        assert a.metadata.get("editable") == b.metadata.get("editable")
        assert a.metadata.get("deletable") == b.metadata.get("deletable")
    assert "BEGIN SOLUTION" not in nbg.dumps(ours) and "HIDDEN TESTS" not in nbg.dumps(ours)


def test_release_stub_keeps_indent_and_signature():
    source = "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION"
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"solution": True, "grade": False, "locked": False,
                                 "grade_id": "a", "schema_version": 3}
    stub = "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()"
    assert nbg.student_source(cell) == stub
    cell.cell_type = "markdown"
    cell.source = "a model answer"
    assert nbg.student_source(cell) == "YOUR ANSWER HERE"


def test_exercises_are_generated_from_solutions():
    assert nbg.generate(check=True) == [], "run: python -m course_lib.grading generate"


def test_solutions_are_built_from_their_text_source():
    stale = authoring.build_all(check=True)
    assert stale == [], "run: python -m course_lib.grading build-solutions"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_solution_notebooks_follow_nbgrader_schema_and_course_rules(path):
    nb = nbg.read(path)
    ids = [nbg.grade_id(c) for c in nb.cells if nbg.meta(c)]
    assert len(ids) == len(set(ids))
    for cell in nb.cells:
        m = nbg.meta(cell)
        if not m:
            continue
        assert m["schema_version"] == 3
        assert set(m) >= {"grade", "grade_id", "locked", "solution", "task"}
        assert re.fullmatch(r"[a-zA-Z0-9_-]+", m["grade_id"])
        if m["grade"]:
            assert m["points"] > 0
        assert all(not o for o in cell.get("outputs", []))
    questions = [c for c in nb.cells if nbg.is_grade(c)]
    assert 3 <= len(questions) <= 6
    assert any(nbg.is_test(c) for c in questions)
    first = nb.cells[0].source
    assert HANGUL.search(first) and HANGUL.search(first).start() < first.index("Exercise")
    assert nb.metadata["course_lib"]["exercise"] == path.stem


def test_at_least_ten_sets_one_per_chapter():
    numbers = sorted(int(p.stem[2:4]) for p in SOLUTIONS)
    assert numbers[:10] == list(range(1, 11))


def test_authoring_rejects_malformed_sources(tmp_path):
    with pytest.raises(ValueError, match="needs id="):
        authoring.parse("%% answer\nx = 1")
    with pytest.raises(ValueError, match="unknown cell kind"):
        authoring.parse("%% nonsense id=a")


# -- tamper scan ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "source",
    [
        "import numpy as np\nnp.allclose = lambda *a, **k: True",
        "import numpy\nnumpy.testing.assert_allclose = print",
        "setattr(np, 'allclose', lambda *a: True)",
        "import builtins\nbuiltins.len = lambda x: 0",
        "__builtins__['abs'] = max",
        "check_function = lambda *a, **k: None",
        "def check_close(*a, **k):\n    pass",
        "import sys\nsys.modules['numpy'] = None",
        "exec('np.allclose = 1')",
        "get_ipython().kernel.do_execute = None",
        "len = lambda x: 3",
    ],
)
def test_tamper_scan_flags_patching(source):
    protected = {"check_function", "check_close", "len"} | set(tamper.SHARED_ROOTS)
    assert tamper.findings(source, protected, {"np", "numpy"})


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_tamper_scan_passes_every_model_answer(path):
    nb = nbg.read(path)
    answers = {n for c in nb.cells if c.cell_type == "code" and nbg.is_solution(c)
               for n in tamper.defined_names(c.source)}
    protected = tamper.protected_names([c.source for c in nb.cells if nbg.is_test(c)], answers)
    for cell in nb.cells:
        if cell.cell_type == "code" and nbg.is_solution(cell):
            assert tamper.findings(cell.source, protected, {"np"}) == []


# -- codec and proxies ---------------------------------------------------------------------
def test_decode_accepts_only_plain_data():
    arr = decode({"t": "nd", "dtype": "<f8", "shape": [2, 1], "v": [1.0, 2.0]}, None)
    assert arr.dtype == np.float64 and arr.shape == (2, 1)
    assert decode({"t": "tuple", "v": [1, "a", None]}, None) == (1, "a", None)
    for bad in ({"t": "nd", "dtype": "|O", "shape": [1], "v": [1]},
                {"t": "nd", "dtype": "<f8", "shape": [1], "v": ["x"]},
                {"t": "pickle", "v": "..."}, [1, 2], {"a": 1}):
        with pytest.raises(RemoteError):
            decode(bad, None)


def test_encode_round_trips_arrays_exactly():
    x = np.array([0.1, 1 / 3, -2e-300])
    enc = encode((x, 1, "s"))
    back = decode(enc, None)
    assert np.array_equal(back[0], x) and back[1:] == (1, "s")
    with pytest.raises(TypeError):
        encode(np.array([object()]))


def test_proxies_cannot_pass_a_comparison():
    proxy = RemoteObject(None, 1, "function f")
    assert (proxy == 1.0) is False
    with pytest.raises(TypeError):
        float(proxy)
    with pytest.raises(CheckFailed):
        check_close("f", proxy, 1.0)
    with pytest.raises(NameError, match="'f' is not defined"):
        Missing("f")(1)


# -- identifying and merging a submission --------------------------------------------------
def test_identify_by_metadata_name_and_grade_ids(tmp_path):
    sol = nbg.read(SOLUTIONS[0])
    assert identify(sol, "anything.ipynb", nbg.SOLUTIONS_DIR) == SOLUTIONS[0].stem
    anon = nbg.read(SOLUTIONS[1])
    anon.metadata.pop("course_lib")
    assert identify(anon, f"{SOLUTIONS[1].stem}-kim.ipynb", nbg.SOLUTIONS_DIR) == SOLUTIONS[1].stem
    assert identify(anon, "homework.ipynb", nbg.SOLUTIONS_DIR) == SOLUTIONS[1].stem
    with pytest.raises(LookupError):
        identify(nbformat.v4.new_notebook(), "x.ipynb", nbg.SOLUTIONS_DIR)


def test_plan_takes_tests_from_the_solution_and_keeps_student_cells(tmp_path):
    sol = nbg.read(SOLUTIONS[0])
    sub = nbg.release(sol)
    sub.cells = [c for c in sub.cells if not nbg.is_test(c)]  # student deleted every test
    sub.cells.insert(3, nbformat.v4.new_code_cell("helper = 1"))
    steps = build_plan(sub, sol)
    tests = [s for s in steps if s.kind == "test"]
    assert [s.source for s in tests] == [c.source for c in sol.cells if nbg.is_test(c)]
    assert any("BEGIN HIDDEN TESTS" in s.source for s in tests)
    assert any(s.source == "helper = 1" and s.student for s in steps)


def test_solution_sources_exist_for_every_notebook():
    sources = sorted(authoring.SOURCE_DIR.glob("ex*.txt"))
    assert [p.stem for p in sources] == [p.stem for p in SOLUTIONS]


def test_a_test_cell_has_a_total_time_budget():
    from course_lib.grading.remote import KernelLost, StudentKernel

    kernel = StudentKernel.__new__(StudentKernel)  # no process: the budget is checked first
    kernel.call_timeout, kernel.deadline = 5.0, 0.0
    with pytest.raises(KernelLost, match="time limit for this question"):
        kernel.request({"op": "lookup", "name": "f"})


def test_a_kernel_that_cannot_start_still_gives_a_report(monkeypatch):
    from course_lib.grading import runner

    class NoKernel:
        def __init__(self, *args, **kwargs):
            raise RuntimeError("Kernel didn't respond in 60 seconds")

    monkeypatch.setattr(runner, "StudentKernel", NoKernel)
    report = runner.grade(nbg.EXERCISES_DIR / "ex01_intuition.ipynb", sandbox=False)
    assert report["score"] == 0 and report["max_score"] == 5
    assert "Kernel didn't respond" in report["errors"][0]
    assert all("could not be graded" in q["feedback"] for q in report["questions"])


def test_answer_code_the_scan_cannot_analyse_earns_nothing():
    from course_lib.grading.runner import Step, _tampering

    deep = "x = np" + ".T" * 20000  # ast.unparse recurses too deep on this
    steps = [Step("run", deep, "a", student=True, question="q1"), Step("test", "pass", "q1")]
    found = _tampering(steps, set(tamper.SHARED_ROOTS))
    assert found["q1"] and "cannot analyse" in found["q1"][0]


@pytest.mark.parametrize("path", sorted(nbg.EXERCISES_DIR.glob("ex*.ipynb")), ids=lambda p: p.stem)
def test_visible_checks_give_values_not_formulas(path):
    # a reference function in a visible check would hand the student the answer
    for cell in nbg.read(path).cells:
        if nbg.is_test(cell):
            assert "reference=" not in cell.source and "lambda" not in cell.source


def test_sigterm_while_a_sandbox_starts_waits_until_kill_all_can_reach_it():
    """A worker told to stop while it starts a sandbox exits only once that sandbox is
    registered for kill_all (else bwrap, killed mid set-up, leaves a process behind)."""
    import subprocess
    import sys

    code = (
        "import os, signal, sys, time\n"
        "from course_lib.grading import sandbox\n"
        "signal.signal(signal.SIGTERM, sandbox.kill_all_and_exit)\n"
        "sandbox._spawn_started()\n"
        "os.kill(os.getpid(), signal.SIGTERM)\n"
        "time.sleep(0.2)\n"
        "print('still starting', flush=True)\n"
        "sandbox._spawn_registered()\n"
        "print('not reached', flush=True)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 128 + 15, done
    assert done.stdout == "still starting\n"
    idle = subprocess.run([sys.executable, "-c", code.replace("sandbox._spawn_started()\n", "")
                           .replace("sandbox._spawn_registered()\n", "")],
                          capture_output=True, text=True, timeout=60)
    assert idle.returncode == 128 + 15 and idle.stdout == ""  # no start: it exits at once
