"""The check that Korean lessons print Korean (tools/output_language.py, notebooks/conftest.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from output_language import english_lines, prose_words

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("line", [
    "스텝 74(0부터 셈, 에폭 75)에서 발산: 손실 = 1.55e+07, 임계값 1.36e+07 초과",
    "(100, 1) (100,)",
    "[3.     2.4    1.92   1.536]",
    "L = 100, mu = 1, kappa = 100",
    "SGD(nesterov=True): [ 9.54e-01 -3.47e-18]",
    "AdamW, weight_decay=0.1    1.938   2.027",
    "    1e-06        0.09999        0.00995",
    "{'SGD': 2, 'SGD, momentum': 3, 'Adam': 4}",
    "eta_t = 1/(t+1)    E[x²]: t = 100 0.0109",
    "PyTorch, scikit-learn, NumPy, RMSprop, Nesterov",
    "",
])
def test_korean_numbers_code_and_names_pass(line):
    assert english_lines(line) == []


@pytest.mark.parametrize(("line", "word"), [
    ("fewest steps: 1 at lr = 0.50", "fewest"),
    ("B =     1   measured   270.2977   formula   281.2470", "measured"),
    ("finished 500 epoch(s), 500 step(s), final training loss 0.227639", "finished"),
    ("Adam ends at x = +1.000, AMSGrad at x = -0.986 (best point: -1)", "ends"),
    ("1/(t+1)²: mean of x_T = 1.009", "mean"),
])
def test_english_prose_is_found(line, word):
    assert english_lines(line) == [line]
    assert word in prose_words(line)


def _notebook(cells: list[str]) -> dict:
    return {"cells": [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "execution_count": None,
                       "outputs": [], "source": src} for i, src in enumerate(cells)],
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                        "language": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def test_the_nbval_run_fails_a_korean_cell_that_prints_english(tmp_path):
    # a lesson folder with the real conftest; one Korean cell passes, one planted line fails
    lessons = tmp_path / "notebooks"
    (lessons / "ko").mkdir(parents=True)
    shutil.copy(ROOT / "notebooks" / "conftest.py", lessons / "conftest.py")
    cells = ['print("학습률 lr = 0.1, 손실 0.25")', 'print("training loss after 3 epochs: 0.25")']
    (lessons / "ko" / "planted.ipynb").write_text(json.dumps(_notebook(cells)), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--nbval-lax",
         "--nbval-current-env", "-o", f"pythonpath={ROOT / 'tools'}", "--rootdir", str(tmp_path),
         str(lessons / "ko" / "planted.ipynb")],
        cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert "1 failed, 1 passed" in run.stdout, run.stdout[-3000:]
    assert "a Korean lesson printed English" in run.stdout
    assert "    training loss after 3 epochs: 0.25" in run.stdout
