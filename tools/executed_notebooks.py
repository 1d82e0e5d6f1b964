"""The lesson notebooks as the test run executed them: figure checks and a copy for the site.

A pytest plugin (the root ``conftest.py`` loads it with ``pytest_plugins``).  While nbval runs
a lesson (``notebooks/ko/*.ipynb``, ``notebooks/en/*.ipynb``) it

- checks the figures of every cell: each image output carries alt text in the edition's
  language, one per ``# alt:`` line of the cell and in that order (see
  ``course_lib/alt_text.py``), and no text in it is smaller than
  :data:`course_lib.style.MIN_FONT_SIZE`; a cell that breaks this fails, naming the fix;
- keeps every cell's outputs and, once all cells of a notebook have passed, writes the notebook
  with its outputs to ``_build/executed/<lang>/<name>.ipynb`` stamped with
  :func:`source_hash`.

``tools/build_site.py`` takes a saved notebook when its stamp equals the source hash of the
notebook and of ``course_lib`` now (:func:`load_fresh`), so CI builds the site without running
the lessons a second time.  ``COURSE_EXECUTED_DIR`` moves the folder (the plugin's own tests).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LANGS = ("ko", "en")
ALT_PREFIX = "# alt:"
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


def executed_dir() -> Path:
    """Where executed lessons are kept (``_build/executed`` unless ``COURSE_EXECUTED_DIR``)."""
    return Path(os.environ.get("COURSE_EXECUTED_DIR", ROOT / "_build" / "executed"))


def lesson_language(path: Path) -> str | None:
    """``"ko"`` or ``"en"`` for a lesson notebook (``notebooks/<lang>/*.ipynb``), else None."""
    path = Path(path)
    if path.suffix == ".ipynb" and path.parent.name in LANGS and path.parent.parent.name == (
        "notebooks"
    ):
        return path.parent.name
    return None


@lru_cache(maxsize=1)
def library_digest() -> str:
    """A hash of every file of ``course_lib``: the outputs depend on the library too."""
    digest = hashlib.sha256()
    package = ROOT / "course_lib"
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def source_hash(notebook: Path) -> str:
    """The stamp of an executed copy: the notebook's bytes and :func:`library_digest`."""
    digest = hashlib.sha256(Path(notebook).read_bytes())
    digest.update(library_digest().encode())
    return digest.hexdigest()


def saved_path(notebook: Path) -> Path:
    notebook = Path(notebook)
    return executed_dir() / notebook.parent.name / notebook.name


def load_fresh(notebook: Path) -> dict | None:
    """The executed copy of a lesson if it was made from the notebook and library as they are."""
    saved = saved_path(notebook)
    if not saved.is_file():
        return None
    nb = json.loads(saved.read_text(encoding="utf-8"))
    stamp = nb.get("metadata", {}).get("course", {}).get("executed", {}).get("source_hash")
    return nb if stamp == source_hash(notebook) else None


def save_executed(notebook: Path, nb: dict, executed_by: str) -> Path:
    """Write an executed lesson (a notebook dict with outputs) where :func:`load_fresh` looks."""
    nb.setdefault("metadata", {}).setdefault("course", {})["executed"] = {
        "source_hash": source_hash(notebook),
        "by": executed_by,
    }
    target = saved_path(notebook)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(target)
    return target


def figure_problems(source: str, outputs: list[dict], lang: str) -> list[str]:
    """What is wrong with the figures among one code cell's outputs (empty: nothing).

    Every image needs an ``alt`` in its metadata equal to the cell's next ``# alt:`` line,
    written in ``lang`` (Korean text has Hangul, English text none), and a font record of at
    least :data:`course_lib.style.MIN_FONT_SIZE` points; the cell has no unused alt lines.
    """
    from course_lib.style import MIN_FONT_SIZE

    wanted = [line[len(ALT_PREFIX):].strip() for line in source.splitlines()
              if line.startswith(ALT_PREFIX)]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    problems = []
    for i, output in enumerate(images):
        meta = output.get("metadata", {}).get("image/png", {})
        alt = meta.get("alt")
        if not alt:
            problems.append(f"figure {i + 1} has no alt text")
        elif i < len(wanted) and alt != wanted[i]:
            problems.append(f"figure {i + 1} shows alt {alt!r}, expected {wanted[i]!r}")
        elif (lang == "ko") != bool(_HANGUL.search(alt)):
            problems.append(f"figure {i + 1}: alt text not in {lang}: {alt!r}")
        size = meta.get("min_font_pt")
        if size is None:
            problems.append(f"figure {i + 1} was not shown through course_lib (no font record)")
        elif size < MIN_FONT_SIZE:
            problems.append(f"figure {i + 1} has text of {size} pt (minimum {MIN_FONT_SIZE} pt)")
    if len(wanted) > len(images):
        problems.append(f"{len(wanted)} alt lines but {len(images)} figure(s)")
    if problems:
        problems.append(
            "fix: describe each figure with '%% alt ko' and '%% alt en' blocks after this code "
            "cell in notebooks/_source, keep text at or above MIN_FONT_SIZE, then run "
            "python tools/build_notebooks.py"
        )
    return problems


# ------------------------------------------------------------------------- pytest plugin

_runs: dict[str, dict] = {}  # per notebook: outputs of the cells that passed, or failed


def _lesson_cell(item) -> str | None:
    if not hasattr(item, "cell") or not hasattr(item, "test_outputs"):
        return None  # not an nbval cell
    return lesson_language(Path(str(item.fspath)))


def _record(item, outputs) -> None:
    """Keep a cell's outputs (None: skipped, False: failed); write the notebook when done."""
    notebook = Path(str(item.fspath))
    run = _runs.setdefault(str(notebook), {"outputs": {}, "failed": False})
    if outputs is False:
        run["failed"] = True
        return
    run["outputs"][item.cell_num] = [dict(o) for o in outputs or []]
    nb = item.parent.nb
    n_code = sum(1 for c in nb.cells if c.cell_type == "code")
    if not run["failed"] and len(run["outputs"]) == n_code:
        save_executed(notebook, _with_outputs(nb, run["outputs"]), executed_by="nbval")
        del _runs[str(notebook)]


def _with_outputs(nb, outputs: dict[int, list[dict]]) -> dict:
    copy = json.loads(json.dumps(nb))
    code = [c for c in copy["cells"] if c["cell_type"] == "code"]
    for number, cell in enumerate(code):
        cell["outputs"] = [_plain(o) for o in outputs.get(number, [])]
        cell["execution_count"] = number + 1
    return copy


def _plain(output: dict) -> dict:
    out = json.loads(json.dumps(output))
    if out.get("output_type") == "execute_result":
        out.setdefault("metadata", {})
    return out


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    lang = _lesson_cell(item)
    if lang is None:
        return (yield)
    try:
        result = yield
    except pytest.skip.Exception:
        _record(item, None)
        raise
    except BaseException:
        _record(item, False)
        raise
    problems = figure_problems(item.cell.source, item.test_outputs or [], lang)
    if problems:
        _record(item, False)
        raise AssertionError("\n".join(problems))
    _record(item, item.test_outputs)
    return result
