"""What a student sees when a check fails: the message, by name, every wrong part, no frames.

The texts are checked here; how a real kernel shows them (only the message, still an error
for nbval and nbgrader) is checked by executing a small notebook in a kernel.
"""

from __future__ import annotations

import re

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from course_lib.grading import notebook as nbg
from course_lib.grading.checks import CheckFailed, check_close, check_function

CASE = ({"w": np.array([1.0, 1.0]), "g": np.array([1.0, -2.0]), "buf": np.array([0.5, 0.0]),
         "lr": 0.1, "momentum": 0.9}, (np.array([0.855, 1.2]), np.array([1.45, -2.0])))


def _feedback(func, **kwargs) -> str:
    with pytest.raises(CheckFailed) as info:
        check_function(func, [CASE], **kwargs)
    return str(info.value)


def test_returned_values_are_named_and_every_wrong_part_is_reported():
    def forgets_the_buffer(w, g, buf, lr, momentum):  # new_w and new_buf both wrong
        return w - lr * g, g

    text = _feedback(forgets_the_buffer, name="momentum_step", returns=("new_w", "new_buf"),
                     hint="b first")
    lines = text.splitlines()
    assert lines[0].startswith("✗ momentum_step(w=[1.0, 1.0]")
    assert lines[1].startswith("  new_w: 값이 다릅니다") and "기대값 [0.855, 1.2]" in lines[1]
    assert lines[2].strip().startswith("values differ") and "got [0.9, 1.2]" in lines[2]
    assert lines[3].startswith("  new_buf: ") and "받은 값 [1.0, -2.0]" in lines[3]
    assert lines[4].strip().startswith("values differ") and "expected [1.45, -2.0]" in lines[4]
    assert lines[5] == "  힌트 / hint: b first" and len(lines) == 6
    assert "item" not in text and "원소" not in text


def test_only_the_wrong_part_is_reported_and_unnamed_parts_get_their_index():
    def right_w_wrong_buf(w, g, buf, lr, momentum):
        return w - lr * (momentum * buf + g), buf

    named = _feedback(right_w_wrong_buf, returns=("new_w", "new_buf"))
    assert "new_buf:" in named and "new_w:" not in named
    unnamed = _feedback(right_w_wrong_buf)
    assert "[1]: 값이 다릅니다" in unnamed and "[0]:" not in unnamed


def test_numeric_pairs_are_compared_part_by_part_when_named():
    with pytest.raises(CheckFailed, match=r"stop_epoch: 값이 다릅니다") as info:
        check_close("early_stopping", (1, 4), (1, 3), returns=("best_epoch", "stop_epoch"))
    assert "best_epoch" not in str(info.value)
    with pytest.raises(CheckFailed, match=r"값 2개 \(new_w, new_buf\)가 필요한데 1개"):
        check_close("momentum_step", (np.zeros(2),), (np.zeros(2), np.zeros(2)),
                    returns=("new_w", "new_buf"))


def test_an_error_in_the_students_code_names_its_line():
    def typo(w, g, buf, lr, momentum):
        new_buf = momentum * buf + g
        return w - lr * new_bu, new_buf  # noqa: F821 - the student's typo

    text = _feedback(typo)
    assert "NameError" in text
    assert re.search(r"typo, 줄 / line \d+: return w - lr \* new_bu, new_buf", text), text


def test_every_visible_check_of_every_set_has_a_hint():
    missing = []
    for path in sorted(nbg.EXERCISES_DIR.glob("ex*.ipynb")):
        for cell in nbg.read(path).cells:
            if nbg.is_test(cell):
                calls = re.split(r"(?=\bcheck_\w+\()", cell.source)[1:]
                missing += [f"{nbg.grade_id(cell)}: {c.split('(')[0]}"
                            for c in calls if "hint=" not in c]
    assert missing == []


def test_a_failed_check_shows_only_its_message_in_a_kernel_and_still_fails():
    cell = nbformat.v4.new_code_cell(
        "import numpy as np\n"
        "from course_lib.grading.checks import check_function\n"
        "def step(w):\n"
        "    return w + 1\n"
        "check_function(step, [({'w': np.array([1.0])}, np.array([0.0]))], hint='minus')")
    cell.metadata["nbgrader"] = {"schema_version": 3, "grade": True, "solution": False,
                                 "locked": True, "grade_id": "q1", "points": 1}
    nb = nbformat.v4.new_notebook(cells=[cell])
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True).execute()
    (error,) = [o for o in nb.cells[0].outputs if o.output_type == "error"]
    shown = "\n".join(error.traceback)
    assert error.ename == "CheckFailed"
    assert shown.startswith("\x1b[1;31m✗ step(w=[1.0])")
    assert "힌트 / hint: minus" in shown
    assert "checks.py" not in shown and "Traceback" not in shown and "File " not in shown
    from nbgrader.utils import determine_grade  # nbgrader still counts it as a failure

    assert determine_grade(nb.cells[0], None)[0] == 0
