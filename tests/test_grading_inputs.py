"""What the grader does with bad files and bad arguments, and how it shows a report.

No kernel starts here: bad files are refused before one would, and the text table and
the limits are plain functions. Every refusal must name the problem, quote nothing of
the file (each file carries a marker that must not appear in the report) and never show
a traceback.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys

import nbformat
import numpy as np
import pytest

from course_lib.grading import notebook as nbg
from course_lib.grading import sandbox as sbx
from course_lib.grading import submission
from course_lib.grading.__main__ import main
from course_lib.grading.checks import CheckFailed, check_function
from course_lib.grading.feedback import display_width, feedback_markdown, format_table, wrap
from course_lib.grading.limits import GIB, MIB, Limits, limit_from_error, parse_size
from course_lib.grading.runner import grade

MARKER = "SECRET-CONTENT-7f3a"
EXERCISE = nbg.EXERCISES_DIR / "ex01_intuition.ipynb"


def _refused(path, expected: str) -> dict:
    report = grade(path, sandbox=False)  # refused before any kernel starts
    text = json.dumps(report, ensure_ascii=False)
    assert report["score"] == 0 and report["questions"] == []
    assert any(expected in e for e in report["errors"]), report["errors"]
    assert MARKER not in text and "Traceback" not in text
    return report


def test_a_symbolic_link_is_refused_without_reading_its_target(tmp_path):
    target = tmp_path / "teachers-notes.txt"
    target.write_text(MARKER, encoding="utf-8")
    link = tmp_path / "ex01_intuition.ipynb"
    link.symlink_to(target)
    _refused(link, "symbolic link")
    nb_link = tmp_path / "ex01_copy.ipynb"  # a link to a real notebook is refused too
    nb_link.symlink_to(EXERCISE)
    _refused(nb_link, "symbolic link")


def test_an_oversized_file_is_refused(tmp_path):
    nb = nbg.read(EXERCISE)
    nb.cells[0].source = MARKER + "x" * (submission.MAX_BYTES + 10)
    big = tmp_path / "ex01_intuition.ipynb"
    nbformat.write(nb, str(big))
    _refused(big, "larger than 16 MiB")


def test_special_files_are_refused(tmp_path):
    fifo = tmp_path / "ex01_intuition.ipynb"
    os.mkfifo(fifo)  # reading it would block forever
    _refused(fifo, "not a regular file")


@pytest.mark.parametrize(("content", "expected"), [
    ("[" * 5000 + "]" * 5000, "nested more than 64 levels"),
    ('{"cells": [' + '{"a": ' * 100 + "1" + "}" * 100 + "]}", "nested more than 64 levels"),
    ('{"cells": "' + MARKER + '"}', "no list of cells"),
    ('{"cells": [], "nbformat": 4, ' + MARKER, "invalid JSON (line 1"),
    ("[1, 2]", "no list of cells"),
])
def test_absurd_notebooks_are_refused_naming_the_problem(tmp_path, content, expected):
    path = tmp_path / "ex01_intuition.ipynb"
    path.write_text(content, encoding="utf-8")
    _refused(path, expected)


def test_binary_and_too_many_cells_are_refused(tmp_path):
    path = tmp_path / "ex01_intuition.ipynb"
    path.write_bytes(b"\xff\xfe" + MARKER.encode())
    _refused(path, "not UTF-8")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(MARKER)
                                         for _ in range(2001)])
    nbformat.write(nb, str(path))
    _refused(path, "more than 2000 cells")


def test_malformed_nbgrader_metadata_is_ignored_and_named():
    nb = json.loads(EXERCISE.read_text(encoding="utf-8"))
    answers = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("solution")]
    answers[0]["metadata"]["nbgrader"]["grade_id"] = {"$ne": MARKER}
    answers[1]["metadata"]["nbgrader"] = [MARKER]
    answers[2]["metadata"]["nbgrader"]["points"] = float("inf")
    nb["cells"].append(MARKER)  # not a cell
    nb["metadata"]["course_lib"] = MARKER
    clean, warnings = submission.parse(json.dumps(nb).encode())
    assert len(warnings) == 4 and MARKER not in " ".join(warnings)
    assert "grade_id is not a short name" in warnings[0]
    assert "not a mapping" in warnings[1] and "points is not a number" in warnings[2]
    assert "not a notebook cell" in warnings[3]
    ids = [nbg.grade_id(c) for c in clean.cells if nbg.grade_id(c)]
    assert "ex01_q1_answer" not in ids and "ex01_q1" in ids  # the bad cell became ordinary
    assert "course_lib" not in clean.metadata


def test_a_well_formed_notebook_reads_unchanged():
    clean, warnings = submission.read(EXERCISE)
    original = nbg.read(EXERCISE)
    assert warnings == []
    assert [c.source for c in clean.cells] == [c.source for c in original.cells]
    assert [nbg.grade_id(c) for c in clean.cells] == [nbg.grade_id(c) for c in original.cells]


# -- no sandbox, no grading ---------------------------------------------------------------
def _fake_bwrap(tmp_path, script: str):
    path = tmp_path / "bwrap"
    path.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_without_a_usable_sandbox_the_grader_refuses_and_says_why(tmp_path, monkeypatch,
                                                                  capsys):
    sbx._probe.cache_clear()
    sbx.bwrap_version.cache_clear()
    cases = {
        str(tmp_path / "missing-bwrap"): "bubblewrap (bwrap) is not installed",
        _fake_bwrap(tmp_path, 'echo "bubblewrap 0.4.1"'): "too old",
        _fake_bwrap(tmp_path, '[ "$1" = --version ] && echo "bubblewrap 0.8.0" && exit 0\n'
                              'echo "bwrap: No permissions to create new namespace" >&2\n'
                              "exit 1"): "cannot create namespaces",
    }
    try:
        for bwrap, reason in cases.items():
            with pytest.raises(sbx.SandboxUnavailable, match=re.escape(reason)) as info:
                sbx.Sandbox(bwrap=bwrap).check()
            assert "--no-sandbox" in str(info.value) and "apt-get install bubblewrap" in str(
                info.value)
            sbx._probe.cache_clear()
            sbx.bwrap_version.cache_clear()
        monkeypatch.setattr(sys, "platform", "darwin")
        with pytest.raises(sbx.SandboxUnavailable, match="needs Linux"):
            sbx.Sandbox().check()
        # the command line refuses (exit 3) and grades nothing
        assert main([str(EXERCISE), "--json"]) == 3
        captured = capsys.readouterr()
        assert captured.out == "" and "not grading" in captured.err
        assert "needs Linux" in captured.err and "--no-sandbox" in captured.err
    finally:
        sbx._probe.cache_clear()
        sbx.bwrap_version.cache_clear()


@pytest.mark.parametrize(("args", "message"), [
    (["--memory", "lots"], "--memory must be a size such as 2GiB"),
    (["--processes", "3"], "--processes must be a number >= 16"),
    (["--cell-timeout", "-1"], "--cell-timeout must be a number >= 0.1"),
    (["--scratch", "0"], "--scratch must be positive"),
    (["--memory", "100M"], "--memory must be at least 512 MiB; got 104857600"),
])
def test_bad_limits_on_the_command_line_name_the_argument(args, message, capsys):
    with pytest.raises(SystemExit) as info:
        main([str(EXERCISE), *args])
    assert info.value.code == 2 and message in capsys.readouterr().err


def test_sizes_and_limits():
    assert parse_size("2GiB") == 2 * GIB and parse_size("256M") == 256 * MIB
    assert parse_size("1.5g") == 3 * GIB // 2 and parse_size(4096) == 4096
    with pytest.raises(ValueError, match="memory must be at least 512 MiB"):
        Limits(memory=256 * MIB)
    assert Limits().amounts()["memory"] == "2 GiB"
    assert limit_from_error("MemoryError", "") == "memory"
    assert limit_from_error(["OSError"], "[Errno 28] No space left on device") == "scratch space"
    assert limit_from_error(["OSError"], "[Errno 27] File too large") == "file size"
    assert limit_from_error(["BlockingIOError", "OSError"], "[Errno 11] Resource "
                            "temporarily unavailable") == "processes"
    assert limit_from_error("RuntimeError", "can't start new thread") == "processes"
    assert limit_from_error("ValueError", "shapes do not match") is None


# -- the text table and the feedback file -------------------------------------------------------
def _feedback(func, cases) -> str:
    with pytest.raises(CheckFailed) as info:
        check_function(func, cases, name="momentum_step",
                       hint="버퍼를 먼저 갱신 / update the buffer first")
    return str(info.value)


def _stub(**kwargs):
    raise NotImplementedError


def _report() -> dict:
    not_done = _feedback(_stub, [({"w": 1.0}, 0.9)])
    wrong = _feedback(lambda w: w * 2.0, [({"w": np.arange(40.0)}, np.zeros(40))])
    return {"notebook": "subs/kim/ex05.ipynb", "exercise": "ex05_momentum", "score": 1.0,
            "max_score": 5.0, "manual_max_score": 1.0, "errors": ["cell 3: nbgrader metadata "
                                                                    "ignored (not a mapping)"],
            "sandbox": {"used": True, "tool": "bubblewrap 0.8.0", "limits": Limits().as_dict()},
            "questions": [
                {"id": "ex05_q1", "score": 0.0, "max_score": 2.0, "feedback": not_done,
                 "manual": False, "limit": None},
                {"id": "ex05_q2", "score": 0.0, "max_score": 2.0, "feedback": wrong,
                 "manual": False, "limit": None},
                {"id": "ex05_q3", "score": 1.0, "max_score": 1.0, "feedback": "✓ passed",
                 "manual": False, "limit": None},
                {"id": "ex05_w1", "score": 0.0, "max_score": 1.0, "feedback": "needs manual "
                 "grading", "manual": True, "limit": None}]}


def test_the_table_shows_whole_feedback_wrapped():
    report = _report()
    table = format_table(report, width=80)
    lines = table.splitlines()
    assert all(display_width(line) <= 80 for line in lines), table
    # "not implemented" and "wrong values" read differently without --json
    assert "not implemented yet (NotImplementedError)" in table
    assert "values differ (largest gap" in table and "update the buffer first" in table
    # every word of every feedback is in the table (wrapped, not cut)
    for q in report["questions"]:
        assert q["feedback"].split() == _words_after(table, q["id"], q["feedback"].split()[0])
    assert "bubblewrap 0.8.0" in lines[1] and "! cell 3: nbgrader metadata" in table
    unsandboxed = format_table(dict(report, sandbox={"used": False}), width=80)
    assert "NOT sandboxed" in unsandboxed.splitlines()[1]


def _words_after(table: str, qid: str, first: str) -> list[str]:
    """The words of one question's feedback as the table shows them."""
    lines = table.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"  {qid} "))
    column = lines[start].index(first)
    words = lines[start][column:].split()
    for line in lines[start + 1:]:
        if not line.startswith(" " * column) or line.startswith("  ! "):
            break
        words += line.split()
    return words


def test_wrapping_counts_hangul_as_two_columns():
    line = "  값이 다릅니다 " * 10
    pieces = wrap(line, 30)
    assert all(display_width(p) <= 30 for p in pieces) and len(pieces) > 3
    assert all(p.startswith("  ") for p in pieces)
    assert "".join(pieces).split() == line.split()
    assert wrap("x" * 50, 20) == ["x" * 20, "x" * 20, "x" * 10]


def test_the_feedback_file_is_bilingual_and_fenced():
    report = _report()
    report["questions"][2]["feedback"] = "```\nkept as text\n```"
    text = feedback_markdown(report, "kim/ex05.ipynb")
    assert text.startswith("# 채점 결과 / Grading report: ex05_momentum")
    assert "자동 채점 점수 / automatic score: **1 / 5**" in text
    assert "| ex05_w1 | 수동 / by hand |" in text
    assert "````text\n```\nkept as text\n```\n````" in text  # a longer fence
    for q in report["questions"]:
        assert q["feedback"] in text
