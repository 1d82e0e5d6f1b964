"""Reading a submitted notebook without trusting it.

A submission is refused, with a message that names the problem and never quotes the
file, when it is a symbolic link (its target could be any file of the teacher's), not a
regular file, larger than :data:`MAX_BYTES`, not UTF-8 JSON, nested absurdly deep, or not
a notebook. What is read is rebuilt into a clean notebook holding only what grading
uses: cell types, sources, grade ids and the nbgrader flags; malformed nbgrader metadata
on a cell is dropped (that cell then counts as an ordinary one) and reported.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from pathlib import Path

import nbformat
from nbformat import NotebookNode

MAX_BYTES = 16 << 20  #: a notebook with its outputs; the course's are about 20 KB
MAX_CELLS = 2000
MAX_SOURCE_CHARS = 1_000_000
MAX_DEPTH = 64
_GRADE_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")
_CELL_TYPES = ("code", "markdown", "raw")


class BadSubmission(ValueError):
    """The file cannot be graded; the message says why (and quotes nothing from it)."""


def read_bytes(path: str | Path, limit: int = MAX_BYTES) -> bytes:
    """The file's bytes, refusing links, special files and files over ``limit`` bytes."""
    path = Path(path)
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise BadSubmission(f"cannot read the file ({exc.strerror})") from None
    if stat.S_ISLNK(info.st_mode):
        raise BadSubmission("제출 파일이 심볼릭 링크입니다 / the submission is a symbolic link, "
                            "not a notebook; submit the file itself")
    if not stat.S_ISREG(info.st_mode):
        raise BadSubmission("제출 파일이 일반 파일이 아닙니다 / "
                            "the submission is not a regular file")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:  # O_NOFOLLOW: the path cannot be swapped for a link between the check and the read
        fd = os.open(path, flags)
    except OSError as exc:
        raise BadSubmission(f"cannot open the file ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise BadSubmission("the submission is not a regular file")
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise BadSubmission(f"제출 파일이 너무 큽니다 / the file is larger than {limit >> 20} MiB "
                            "(clear the outputs and submit again)")
    return data


_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKET = re.compile(r"[\[\]{}]")


def _depth(text: str) -> int:
    """Deepest nesting of JSON brackets outside strings (so json.loads cannot recurse)."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        depth += 1 if match.group() in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def parse(data: bytes) -> tuple[NotebookNode, list[str]]:
    """A clean notebook from a submission's bytes, and what was wrong but tolerated.

    Raises
    ------
    BadSubmission
        Naming the problem.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadSubmission(f"not UTF-8 text (byte {exc.start})") from None
    if _depth(text) > MAX_DEPTH:
        raise BadSubmission(f"JSON nested more than {MAX_DEPTH} levels deep: not a notebook")
    try:
        raw = json.loads(text)
    except ValueError as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if hasattr(exc, "lineno") else ""
        raise BadSubmission(f"노트북 파일이 아닙니다 / not a notebook: invalid JSON{where}"
                            ) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("cells", []), list):
        raise BadSubmission("노트북 파일이 아닙니다 / not a notebook: no list of cells")
    if raw.get("nbformat") != 4:
        try:  # an older format: let nbformat convert it, then clean the result
            raw = nbformat.reads(text, as_version=4)
        except Exception:  # noqa: BLE001 - anything nbformat chokes on is not gradable
            raise BadSubmission("not a Jupyter notebook of a known format") from None
    cells = raw.get("cells") or []
    if len(cells) > MAX_CELLS:
        raise BadSubmission(f"more than {MAX_CELLS} cells: not a course exercise")
    warnings: list[str] = []
    clean = [_clean_cell(cell, i, warnings) for i, cell in enumerate(cells, 1)]
    nb = nbformat.v4.new_notebook(cells=[c for c in clean if c is not None])
    exercise = (raw.get("metadata") or {}).get("course_lib", {}) if isinstance(
        raw.get("metadata"), dict) else {}
    if isinstance(exercise, dict) and isinstance(exercise.get("exercise"), str) and \
            _GRADE_ID.fullmatch(exercise["exercise"]):
        nb.metadata["course_lib"] = {"exercise": exercise["exercise"]}
    return nb, warnings


def _clean_cell(cell: object, index: int, warnings: list[str]) -> NotebookNode | None:
    if not isinstance(cell, dict) or cell.get("cell_type") not in _CELL_TYPES:
        warnings.append(f"cell {index}: not a notebook cell; ignored")
        return None
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(s, str) for s in source):
        source = "".join(source)
    if not isinstance(source, str):
        warnings.append(f"cell {index}: its source is not text; ignored")
        return None
    if len(source) > MAX_SOURCE_CHARS:
        warnings.append(f"cell {index}: source longer than {MAX_SOURCE_CHARS} characters; ignored")
        return None
    maker = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell,
             "raw": nbformat.v4.new_raw_cell}[cell["cell_type"]]
    out = maker(source)
    meta = cell.get("metadata")
    grader = meta.get("nbgrader") if isinstance(meta, dict) else None
    if grader is not None:
        problem = _nbgrader_problem(grader)
        if problem:
            warnings.append(f"cell {index}: nbgrader metadata ignored ({problem})")
        else:
            out.metadata["nbgrader"] = {k: grader[k] for k in
                                        ("grade_id", "grade", "solution", "locked", "points")
                                        if k in grader}
    return out


def _nbgrader_problem(grader: object) -> str | None:
    if not isinstance(grader, dict):
        return "not a mapping"
    grade_id = grader.get("grade_id")
    if grade_id is not None and not (isinstance(grade_id, str) and _GRADE_ID.fullmatch(grade_id)):
        return "grade_id is not a short name of letters, digits, _ and -"
    for flag in ("grade", "solution", "locked"):
        if flag in grader and not isinstance(grader[flag], bool):
            return f"{flag} is not true or false"
    points = grader.get("points", 0)
    if isinstance(points, bool) or not isinstance(points, int | float) or \
            not math.isfinite(points) or not 0 <= points <= 1000:
        return "points is not a number from 0 to 1000"
    return None


def read(path: str | Path) -> tuple[NotebookNode, list[str]]:
    """Read and clean a submission (see :func:`parse`); raise :class:`BadSubmission`."""
    return parse(read_bytes(path))
