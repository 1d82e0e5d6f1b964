"""Alt text from the lesson source to the figure output, and the checks that enforce it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import build_notebooks
import executed_notebooks
import matplotlib.pyplot as plt
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from matplotlib_inline.backend_inline import configure_inline_support, flush_figures
from traitlets.config import Config

from course_lib import alt_text, style

ROOT = Path(__file__).resolve().parents[1]

SOURCE = """%% md ko
# 99. 시험
%% md en
# 99. Test
%% code
import matplotlib.pyplot as plt
plt.plot([3, 2, 1])
%% alt ko
세 점을 잇는 선이
아래로 내려감
%% alt en
a line through three points
going down
%% code
print(1)
"""


# ------------------------------------------------------------------------ the builder


def test_builder_writes_the_editions_alt_line_at_the_top_of_the_code_cell():
    cells = build_notebooks.parse_source(SOURCE)
    assert [c.kind for c in cells] == ["markdown", "markdown", "code", "code"]
    for lang, alt in (("ko", "세 점을 잇는 선이 아래로 내려감"),
                      ("en", "a line through three points going down")):
        nb = build_notebooks.build_notebook(cells, lang, "99_test")
        code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
        assert code[0].splitlines()[0] == f"# alt: {alt}"
        assert alt_text.alt_lines(code[0]) == [alt]
        assert "# alt:" not in code[1]


@pytest.mark.parametrize("bad, message", [
    ("%% md\nx\n%% alt ko\n그림\n%% alt en\nfigure\n", "must follow a code cell"),
    ("%% code\nx\n%% alt ko\n그림\n", "1 '%% alt ko' but 0 '%% alt en'"),
    ("%% code\nx\n%% alt ko\nfigure\n%% alt en\nfigure\n", "written in Korean"),
    ("%% code\nx\n%% alt ko\n그림\n%% alt en\n그림\n", "written in English"),
    ("%% code\nx\n%% alt ko\n\n%% alt en\nfigure\n", "empty"),
    ("%% code\nx\n%% alt fr\nfigure\n", "bad cell marker"),
])
def test_builder_rejects_a_malformed_alt_block(bad, message):
    with pytest.raises(ValueError, match=message):
        build_notebooks.parse_source(bad, "bad.txt")


# ------------------------------------------------------------- the kernel side (IPython)


@pytest.fixture(scope="module")
def shell():
    config = Config()
    config.HistoryManager.enabled = False  # no history database in the test's IPython dir
    sh = InteractiveShell.instance(config=config)
    # As in a kernel: the inline backend shows the cell's figures after it runs.
    inline = "module://matplotlib_inline.backend_inline"
    plt.switch_backend(inline)
    configure_inline_support(sh, inline)
    plt.ion()  # a kernel's pyplot is interactive; the inline backend shows only then
    sh.run_cell("import matplotlib.pyplot as plt\nfrom course_lib import set_language\n"
                "set_language('en')")
    yield sh
    plt.ioff()  # later tests run outside IPython, as before
    sh.events.unregister("post_execute", flush_figures)
    InteractiveShell.clear_instance()
    plt.switch_backend("Agg")


def _figures(shell, source):
    with capture_output() as captured:
        assert shell.run_cell(source).success
    return [o for o in captured.outputs if "image/png" in o.data]


def test_each_figure_of_a_cell_gets_the_next_alt_line(shell):
    figures = _figures(shell, "# alt: first, rising\n# alt: second & \"quoted\"\n"
                              "plt.figure(); plt.plot([1, 2])\nplt.figure(); plt.plot([2, 1])")
    assert [f.metadata["image/png"]["alt"] for f in figures] == ["first, rising",
                                                                 'second & "quoted"']
    # JupyterLab renders the HTML form, whose <img> carries the same text, escaped.
    assert 'alt="second &amp; &quot;quoted&quot;"' in figures[1].data["text/html"]
    assert figures[1].data["image/png"] in figures[1].data["text/html"]
    assert figures[0].metadata["image/png"]["min_font_pt"] >= style.MIN_FONT_SIZE


def test_a_figure_without_alt_line_has_no_alt_and_no_html(shell):
    (figure,) = _figures(shell, "plt.figure(); plt.plot([1, 2])")
    assert "alt" not in figure.metadata["image/png"]
    assert "text/html" not in figure.data


def test_the_font_record_is_the_smallest_text(shell):
    (figure,) = _figures(shell, "# alt: x\nplt.figure(); plt.plot([1, 2])\n"
                                "plt.title('t', fontsize=7.5)")
    assert figure.metadata["image/png"]["min_font_pt"] == 7.5


# ---------------------------------------------------------------- the test-run checks


def _image(alt=None, size=11.0):
    meta = {"min_font_pt": size} if size is not None else {}
    if alt is not None:
        meta["alt"] = alt
    return {"output_type": "display_data", "data": {"image/png": "AAAA"},
            "metadata": {"image/png": meta}}


def test_figure_checks_accept_a_described_readable_figure():
    assert executed_notebooks.figure_problems("# alt: 선이 내려감\nplot()",
                                              [_image("선이 내려감")], "ko") == []


@pytest.mark.parametrize("source, outputs, lang, problem", [
    ("plot()", [_image()], "en", "figure 1 has no alt text"),
    ("# alt: a\n# alt: b", [_image("a")], "en", "2 alt lines but 1 figure"),
    ("# alt: a", [_image("b")], "en", "shows alt 'b', expected 'a'"),
    ("# alt: a line", [_image("a line")], "ko", "not in ko"),
    ("# alt: 선", [_image("선")], "en", "not in en"),
    ("# alt: a", [_image("a", size=8.0)], "en", "text of 8.0 pt"),
    ("# alt: a", [_image("a", size=None)], "en", "not shown through course_lib"),
])
def test_figure_checks_name_what_is_wrong(source, outputs, lang, problem):
    problems = executed_notebooks.figure_problems(source, outputs, lang)
    assert any(problem in p for p in problems), problems
    assert "%% alt ko" in problems[-1]


def _lesson(folder: Path, lang: str, figure_cell: str) -> Path:
    nb = {"cells": [
        {"cell_type": "code", "id": "c0", "metadata": {}, "execution_count": None, "outputs": [],
         "source": f"import matplotlib.pyplot as plt\nfrom course_lib import set_language\n"
                   f"set_language('{lang}')"},
        {"cell_type": "code", "id": "c1", "metadata": {}, "execution_count": None, "outputs": [],
         "source": figure_cell},
    ], "metadata": {"kernelspec": build_notebooks.KERNELSPEC}, "nbformat": 4,
        "nbformat_minor": 5}
    path = folder / "notebooks" / lang / "99_planted.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def _nbval(paths: list[Path], saved: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COURSE_EXECUTED_DIR": str(saved)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p",
         "executed_notebooks", "--nbval-lax", "--nbval-current-env", "--rootdir",
         str(paths[0].parents[2]), "-c", os.devnull, *map(str, paths)],
        capture_output=True, text=True, timeout=180, env=env, cwd=ROOT / "tools",
    )


@pytest.mark.slow
def test_nbval_run_fails_on_a_planted_figure_without_alt_and_keeps_the_good_one(tmp_path):
    saved = tmp_path / "executed"
    bad = _lesson(tmp_path / "bad", "en", "plt.plot([1, 2, 3])")
    good = _lesson(tmp_path / "good", "ko", "# alt: 세 점이 오르는 선\nplt.plot([1, 2, 3])")
    result = _nbval([bad, good], saved)  # one run, two lessons: one kernel each
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed, 3 passed" in result.stdout, result.stdout
    assert "bad/notebooks/en/99_planted.ipynb::Cell 1" in result.stdout
    assert "figure 1 has no alt text" in result.stdout
    assert not (saved / "en" / bad.name).exists()  # a failed lesson is not kept

    kept = json.loads((saved / "ko" / good.name).read_text(encoding="utf-8"))
    (image,) = [o for o in kept["cells"][1]["outputs"] if "image/png" in o.get("data", {})]
    assert image["metadata"]["image/png"]["alt"] == "세 점이 오르는 선"
    os.environ["COURSE_EXECUTED_DIR"] = str(saved)
    try:
        assert executed_notebooks.load_fresh(good) is not None
        good.write_text(good.read_text(encoding="utf-8").replace("1, 2, 3", "1, 2, 4"),
                        encoding="utf-8")
        assert executed_notebooks.load_fresh(good) is None  # the source changed: stale
    finally:
        del os.environ["COURSE_EXECUTED_DIR"]
