"""The lesson notebooks as committed: both editions, same code, no outputs, built from source."""

from __future__ import annotations

from pathlib import Path

import build_notebooks
import pytest
from repo_checks import edition_differences, load_notebook, output_problems

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
COMMITTED = sorted(
    p
    for folder in ("notebooks", "solutions", "exercises")
    for p in (ROOT / folder).rglob("*.ipynb")
    if ".ipynb_checkpoints" not in p.parts
)


def test_there_are_lessons_in_both_languages():
    assert sorted(p.name for p in (NOTEBOOKS / "ko").glob("*.ipynb")), "no Korean lessons"
    assert sorted(p.name for p in (NOTEBOOKS / "en").glob("*.ipynb")), "no English lessons"


def test_korean_and_english_editions_match():
    assert edition_differences(NOTEBOOKS / "ko", NOTEBOOKS / "en") == []


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: str(p.relative_to(ROOT)))
def test_committed_without_outputs(path):
    assert output_problems(load_notebook(path), path.name) == []


def test_notebooks_are_built_from_their_sources():
    """Editing an .ipynb by hand instead of notebooks/_source/*.txt is caught here."""
    sources = sorted(build_notebooks.SOURCE_DIR.glob("*.txt"))
    assert sources, "no chapter sources in notebooks/_source"
    stale = []
    for source in sources:
        for path, text in build_notebooks.outputs_for(source).items():
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path.relative_to(ROOT)))
    assert stale == [], "run: python tools/build_notebooks.py"
    built = {p.stem for p in sources}
    lessons = {p.stem for p in (NOTEBOOKS / "ko").glob("*.ipynb")}
    assert lessons == built, "every lesson notebook must come from a source file"


def test_every_lesson_sets_its_language_first():
    for lang in ("ko", "en"):
        for path in sorted((NOTEBOOKS / lang).glob("*.ipynb")):
            first_code = next(
                "".join(c["source"])
                for c in load_notebook(path)["cells"]
                if c["cell_type"] == "code"
            )
            assert f'set_language("{lang}")' in first_code, f"{path.name} ({lang})"


def test_readme_chapter_list_links_every_lesson():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme == build_notebooks.readme_with_chapters(readme), (
        "README's chapter table is stale: run python tools/build_notebooks.py"
    )
    for lang in ("ko", "en"):
        for path in sorted((NOTEBOOKS / lang).glob("*.ipynb")):
            assert f"](notebooks/{lang}/{path.name})" in readme, path


def test_readme_gives_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "python3 course.py lab" in readme and "python3 course.py test" in readme


def test_korean_tables_are_wrapped_to_break_between_words_only():
    """JupyterLab loads no course CSS: a Korean table carries keep-all itself."""
    md = ("앞 문단입니다.\n| 기준 | 값 |\n|---|:---:|\n| 파라미터당 상태 | 2 |\n뒤 문단\n\n"
          "| a | b |\n|---|---|\n| 1 | 2 |\n\n```\n| 코드 | 안 |\n|---|---|\n```")
    out = build_notebooks.keep_all_tables(md).split("\n")
    start = out.index(build_notebooks.KEEP_ALL_OPEN)
    assert out[start - 1:start + 2] == ["", build_notebooks.KEEP_ALL_OPEN, ""]
    assert out[start + 2:start + 5] == ["| 기준 | 값 |", "|---|:---:|", "| 파라미터당 상태 | 2 |"]
    assert out[start + 5:start + 7] == ["", build_notebooks.KEEP_ALL_CLOSE]
    assert out.count(build_notebooks.KEEP_ALL_OPEN) == 1  # not the English one, not in code
    assert build_notebooks.keep_all_tables("| 값 |\n| 없음 |") == "| 값 |\n| 없음 |"  # no rule


def test_every_korean_lesson_table_is_wrapped():
    wrapped = 0
    for path in sorted((NOTEBOOKS / "ko").glob("*.ipynb")):
        for cell in load_notebook(path)["cells"]:
            lines = [x for x in "".join(cell["source"]).split("\n") if x.strip()]
            for i, line in enumerate(lines):
                if line.startswith("|") and (i == 0 or not lines[i - 1].startswith("|")):
                    assert i > 0 and lines[i - 1] == build_notebooks.KEEP_ALL_OPEN, (
                        f"{path.name}: {line}")
                    wrapped += 1
    assert wrapped >= 10  # 15 tables when this was written
