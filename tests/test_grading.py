"""The autograder end to end: real kernels, the course's own sets, and hostile submissions.

Kernel start-ups are the cost, so each fixture grades its notebooks in one
``grade_many`` call (the next kernel boots while the current notebook is graded).
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest
from submissions import answer_source, make_submission, make_variant, sandbox_or_none, scores

from course_lib.grading import notebook as nbg
from course_lib.grading.runner import format_table, grade_many

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted(nbg.SOLUTIONS_DIR.glob("ex*.ipynb"))
EXERCISES = sorted(nbg.EXERCISES_DIR.glob("ex*.ipynb"))
SANDBOX = sandbox_or_none()  # scores are the same in the sandbox; CI always has it
FAST = {"cell_timeout": 5.0, "call_timeout": 3.0, "sandbox": SANDBOX}  # room for a loaded CI
NO_SANDBOX = [] if SANDBOX else ["--no-sandbox"]

WRONG = {  # plausible mistakes, one per ex09 question
    1: "def lr_sweep(lr_min, lr_max, num):\n    return np.linspace(lr_min, lr_max, num)",
    2: "def smooth(losses, beta=0.98):\n    out, a = [], 0.0\n    for x in losses:\n"
       "        a = beta * a + (1 - beta) * x\n        out.append(a)\n    return np.array(out)",
    3: "def stop_index(smoothed, factor=4.0):\n    return None",
    4: "def suggest_lr(lrs, smoothed):\n    return float(lrs[int(np.argmin(smoothed))])",
    5: "def linear_scaling(base_lr, base_batch, new_batch):\n"
       "    return base_lr * (new_batch / base_batch) ** 0.5",
}


# Correct answers written differently from the model answers: they must earn full marks.
VARIANTS = {
    "ex03_minibatch": {
        "ex03_q1_answer": dedent("""
            import math
            def n_batches(n_samples, batch_size):
                if batch_size < 1:
                    raise ValueError("batch_size")
                return math.ceil(n_samples / batch_size)"""),
        "ex03_q2_answer": dedent("""
            def minibatches(X, y, batch_size, seed):
                p = np.random.default_rng(seed).permutation(len(X))
                return [[X[p[i:i + batch_size]], y[p[i:i + batch_size]]]
                        for i in range(0, len(X), batch_size)]"""),
    },
    "ex07_adam": {  # torch.optim.Adam's own arrangement; m and v updated in place
        "ex07_q1_answer": dedent("""
            def adam_step(w, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
                m *= beta1
                m += (1 - beta1) * g
                v *= beta2
                v += (1 - beta2) * g ** 2
                step_size = lr / (1 - beta1 ** t)
                denom = np.sqrt(v) / np.sqrt(1 - beta2 ** t) + eps
                return w - step_size * m / denom, m, v"""),
    },
    "ex08_monitoring": {  # one concatenated vector, and an explicit branch
        "ex08_q1_answer": dedent("""
            def clip_grad_norm(grads, max_norm):
                total = np.linalg.norm(np.concatenate([np.ravel(g) for g in grads]))
                coef = max_norm / (total + 1e-6)
                if coef >= 1:
                    return [np.copy(g) for g in grads], total
                return [g * coef for g in grads], total"""),
    },
    "ex10_sklearn": {  # a list of numpy.str_, not of str
        "ex10_q3_answer": dedent("""
            def top_features(coef, names, k):
                order = np.argsort(np.abs(coef[0]))[::-1][:k]
                return list(np.asarray(names)[order])"""),
    },
}


@pytest.fixture(scope="module")
def solution_reports():
    return dict(zip(SOLUTIONS, grade_many(SOLUTIONS, sandbox=SANDBOX), strict=True))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    subs = {
        # hangs and crashes, each in its own question; the rest is untouched
        "crash1": make_submission(tmp, "crash1", {
            1: answer_source(1) + "\nwhile True:\n    pass",
            2: "import os\ndef smooth(losses, beta=0.98):\n    os._exit(1)",
            3: "def stop_index(smoothed, factor=4.0):\n    raise SystemExit(0)",
            4: answer_source(4) + "\nprint('x' * 5_000_000)",
        }, extra_after={"ex09_q5_answer": ["exit()"]}),
        "crash2": make_submission(tmp, "crash2", {
            2: "def smooth(losses, beta=0.98):\n    while True:\n        pass",
            3: "import os, signal\n" + answer_source(3) + "\nos.kill(os.getpid(), signal.SIGKILL)",
            5: answer_source(5) + "\nraise SystemExit",
        }),
        # wrong answers dressed up to pass
        "tamper": make_submission(tmp, "tamper", {
            1: WRONG[1] + "\nnp.allclose = lambda *a, **k: True\n"
                          "np.testing.assert_allclose = lambda *a, **k: None",
            2: WRONG[2] + "\nimport course_lib.grading.checks as C\n"
                          "C.check_function = lambda *a, **k: print('passed')\n"
                          "check_function = C.check_function",
            3: "class Anything:\n    __eq__ = lambda self, other: True\n"
               "    __ne__ = lambda self, other: False\n"
               "def stop_index(smoothed, factor=4.0):\n    return Anything()",
            # patched in a way the static scan does not see: isolation must still hold
            4: WRONG[4] + "\n[np][0].allclose = lambda *a, **k: True\n"
                          "[__import__][0]\n",
        }),
        "sneaky": make_submission(tmp, "sneaky", {
            4: WRONG[4] + "\n[np][0].allclose = lambda *a, **k: True\n"
                          "[np][0].isclose = lambda *a, **k: True",
            5: "class F(float):\n    __eq__ = lambda s, o: True\n"
               "def linear_scaling(base_lr, base_batch, new_batch):\n    return F(0.0)",
        }),
        # correct answers, every test cell deleted: the authoritative tests come back
        "deleted": make_submission(tmp, "deleted", {}, tests="delete"),
        # wrong answers, every test cell replaced by `pass`
        "edited": make_submission(tmp, "edited", dict(WRONG), tests="pass"),
    }
    subs.update({stem: make_variant(tmp, stem, answers) for stem, answers in VARIANTS.items()})
    reports = grade_many(list(subs.values()), **FAST)
    return dict(zip(subs, reports, strict=True))


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_every_solution_scores_full_marks(solution_reports, path):
    report = solution_reports[path]
    assert report["errors"] == []
    assert report["exercise"] == path.stem
    assert report["max_score"] > 0 and report["score"] == report["max_score"], format_table(report)
    for q in report["questions"]:
        assert q["score"] == (0 if q["manual"] else q["max_score"])
        if q["manual"]:
            assert "needs manual grading" in q["feedback"]


def test_every_exercise_scores_zero_through_the_cli_on_a_folder(tmp_path, capsys):
    from course_lib.grading.__main__ import main

    out = tmp_path / "grades.csv"
    folder = tmp_path / "subs"
    folder.mkdir()
    for path in EXERCISES:
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "broken.ipynb").write_text("{ not json", encoding="utf-8")
    assert main([str(folder), "--json", "--csv", str(out), *NO_SANDBOX]) == 0
    reports = json.loads(capsys.readouterr().out)
    assert len(reports) == len(EXERCISES) + 1
    by_name = {Path(r["notebook"]).name: r for r in reports}
    assert by_name["broken.ipynb"]["errors"] and by_name["broken.ipynb"]["score"] == 0
    for path in EXERCISES:
        report = by_name[path.name]
        assert report["exercise"] == path.stem and report["errors"] == []
        assert report["score"] == 0 and report["max_score"] > 0
        for q in report["questions"]:
            assert set(q) >= {"id", "score", "max_score", "feedback"} and q["score"] == 0
            assert q["feedback"]
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    totals = {r["submission"]: r for r in rows if r["question"] == "TOTAL"}
    assert set(totals) == {p.name for p in EXERCISES} | {"broken.ipynb"}
    assert all(float(r["score"]) == 0 for r in totals.values())


def test_cli_prints_the_json_report_of_one_submission():
    # a real `python -m` run; the blank exercise of the smallest set keeps it quick
    proc = subprocess.run([sys.executable, "-m", "course_lib.grading", str(EXERCISES[0]), "--json",
                           *NO_SANDBOX], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert set(report) >= {"score", "max_score", "questions"} and report["score"] == 0
    assert [q["id"] for q in report["questions"]] == ["ex01_q1", "ex01_q2", "ex01_q3", "ex01_w1"]


def test_hangs_and_crashes_cost_only_their_own_question(hostile):
    assert scores(hostile["crash1"]) == [0, 0, 0, 1, 1], format_table(hostile["crash1"])
    assert scores(hostile["crash2"]) == [1, 0, 0, 1, 1], format_table(hostile["crash2"])
    crash1 = {q["id"]: q["feedback"] for q in hostile["crash1"]["questions"]}
    assert "NameError" in crash1["ex09_q1"] or "not defined" in crash1["ex09_q1"]
    assert "the kernel died during the call" in crash1["ex09_q2"]
    assert "SystemExit" in crash1["ex09_q3"]
    crash2 = {q["id"]: q["feedback"] for q in hostile["crash2"]["questions"]}
    assert "the call time limit (3 s) was reached" in crash2["ex09_q2"]
    assert len(json.dumps(hostile["crash1"])) < 50_000  # 5 MB of output did not land in the report


def test_tampering_never_earns_points(hostile):
    report = hostile["tamper"]
    assert scores(report) == [0, 0, 0, 0, 1], format_table(report)
    feedback = {q["id"]: q["feedback"] for q in report["questions"]}
    assert "modifies shared objects" in feedback["ex09_q1"]
    assert "modifies shared objects" in feedback["ex09_q2"]
    assert "modifies shared objects" in feedback["ex09_q4"]  # __import__


def test_tampering_the_scan_misses_is_defeated_by_isolation(hostile):
    report = hostile["sneaky"]
    assert scores(report) == [1, 2, 2, 0, 0], format_table(report)
    feedback = {q["id"]: q["feedback"] for q in report["questions"]}
    assert "modifies shared objects" not in feedback["ex09_q4"]
    assert "expected 0.01, got 0.1" in feedback["ex09_q4"]


def test_deleted_or_edited_test_cells_are_restored(hostile):
    assert scores(hostile["deleted"]) == [1, 2, 2, 1, 1], format_table(hostile["deleted"])
    assert scores(hostile["edited"]) == [0, 0, 0, 0, 0], format_table(hostile["edited"])
    table = format_table(hostile["edited"])
    assert "lr_sweep(lr_min=0.0001, lr_max=1.0, num=5)" in table  # which input failed
    feedback = {q["id"]: q["feedback"] for q in hostile["edited"]["questions"]}
    assert "expected 0.01, got 0.1" in feedback["ex09_q4"]  # expected and got
    assert "기대값" in feedback["ex09_q4"]  # Korean line first


def test_generate_command_writes_exercises_into_a_folder(tmp_path):
    from course_lib.grading.__main__ import main

    assert main(["generate", "--exercises", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.glob("*.ipynb")) == [p.name for p in EXERCISES]
    assert main(["generate", "--check", "--exercises", str(tmp_path)]) == 0
    (tmp_path / EXERCISES[0].name).write_text("{}", encoding="utf-8")
    assert main(["generate", "--check", "--exercises", str(tmp_path)]) == 1


@pytest.mark.parametrize("stem", sorted(VARIANTS))
def test_other_correct_formulations_earn_full_marks(hostile, stem):
    report = hostile[stem]
    assert report["exercise"] == stem
    assert report["score"] == report["max_score"], format_table(report)
