"""Tests of the tests: each repository check fails on a deliberately broken input."""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
from repo_checks import (
    code_cell_differences,
    dependency_differences,
    edition_differences,
    output_problems,
)

ROOT = Path(__file__).resolve().parents[1]


def _nb(*codes: str) -> dict:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in codes])
    return dict(nb)


def test_language_line_may_differ():
    ko = _nb('from course_lib import set_language\nset_language("ko")', "x = 1")
    en = _nb('from course_lib import set_language\nset_language("en")', "x = 1")
    assert code_cell_differences(ko, en) == []


def test_parity_check_catches_a_changed_code_cell():
    ko = _nb('set_language("ko")', "x = 1")
    en = _nb('set_language("en")', "x = 2")
    assert code_cell_differences(ko, en, "ch") == ["ch: code cell 1 differs between ko and en"]


def test_parity_check_catches_a_missing_cell_and_a_missing_file(tmp_path):
    assert code_cell_differences(_nb("a", "b"), _nb("a"), "ch") != []
    (tmp_path / "ko").mkdir()
    (tmp_path / "en").mkdir()
    nbformat.write(nbformat.from_dict(_nb("a")), tmp_path / "ko" / "01_x.ipynb")
    assert edition_differences(tmp_path / "ko", tmp_path / "en") == ["only in ko: 01_x.ipynb"]


def test_output_check_catches_outputs_and_counts():
    nb = _nb("print(1)")
    assert output_problems(nb) == []
    broken = copy.deepcopy(nb)
    broken["cells"][0]["outputs"] = [nbformat.v4.new_output("stream", text="1\n")]
    broken["cells"][0]["execution_count"] = 1
    assert output_problems(broken, "nb") == [
        "nb: cell 0 has outputs",
        "nb: cell 0 has an execution count",
    ]


def test_dependency_check_catches_drift():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    env = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert dependency_differences(pyproject, env) == []
    assert (
        "numpy: pyproject.toml says '>=1.24', environment.yml says '>=1.20'"
        in dependency_differences(pyproject, env.replace("numpy>=1.24", "numpy>=1.20"))
    )
    assert "scipy is in pyproject.toml but not in environment.yml" in dependency_differences(
        pyproject, env.replace("  - scipy>=1.10\n", "")
    )
    pinned = pyproject.replace('"numpy>=1.24"', '"numpy==2.0.0"')
    assert "numpy is pinned exactly (==2.0.0); use a lower bound" in dependency_differences(
        pinned, env.replace("numpy>=1.24", "numpy==2.0.0")
    )
