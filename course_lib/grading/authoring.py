"""Write ``solutions/exNN_slug.ipynb`` from a readable text source.

Editing nbgrader metadata by hand in JSON is error-prone, so each set is written as
``solutions/_source/exNN_slug.txt``. The notebooks this writes are what the generator and
the grader read (the single source for everything downstream); a test checks that they
are up to date with their text source.

Source format: a line starting with ``%% `` opens a cell::

    %% md                        instructions (plain markdown)
    %% code id=setup             read-only code (nbgrader: locked)
    %% answer id=q1_answer       the student's code cell, with ### BEGIN/END SOLUTION
    %% test id=q1 points=2       autograded tests, with ### BEGIN/END HIDDEN TESTS
    %% written id=w1 points=1    a written answer, graded by hand (markdown)
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from course_lib.grading.notebook import SOLUTIONS_DIR, dumps

SOURCE_DIR = SOLUTIONS_DIR / "_source"
KINDS = {
    "md": ("markdown", None),
    "code": ("code", {"grade": False, "solution": False, "locked": True}),
    "answer": ("code", {"grade": False, "solution": True, "locked": False}),
    "test": ("code", {"grade": True, "solution": False, "locked": True}),
    "written": ("markdown", {"grade": True, "solution": True, "locked": False}),
}


def parse(text: str, name: str = "<source>") -> list[tuple[str, dict[str, str], str]]:
    """Split a source into (kind, options, body) triples; raise ValueError when malformed."""
    cells: list[tuple[str, dict[str, str], list[str]]] = []
    for lineno, line in enumerate(text.split("\n"), 1):
        if line.startswith("%% "):
            kind, *opts = line[3:].split()
            if kind not in KINDS:
                raise ValueError(f"{name}:{lineno}: unknown cell kind {kind!r}; use {list(KINDS)}")
            options = dict(o.split("=", 1) for o in opts)
            if KINDS[kind][1] is not None and "id" not in options:
                raise ValueError(f"{name}:{lineno}: a {kind} cell needs id=...")
            cells.append((kind, options, []))
        elif cells:
            cells[-1][2].append(line)
        elif line.strip():
            raise ValueError(f"{name}:{lineno}: text before the first %% marker")
    return [(k, o, "\n".join(body).strip("\n")) for k, o, body in cells]


def build(source: Path) -> nbformat.NotebookNode:
    """Build one solution notebook from its text source."""
    stem = source.stem
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                       "name": "python3"},
        "language_info": {"name": "python"},
        "course_lib": {"exercise": stem},
    }
    for index, (kind, options, body) in enumerate(parse(source.read_text("utf-8"), source.name)):
        cell_type, flags = KINDS[kind]
        maker = nbformat.v4.new_code_cell if cell_type == "code" else nbformat.v4.new_markdown_cell
        cell = maker(body)
        cell.id = options.get("id", f"cell-{index:02d}")
        if flags is not None:
            grader = {"schema_version": 3, "grade_id": options["id"], **flags}
            if flags["grade"]:
                grader["points"] = float(options.get("points", 1))
            grader["task"] = False
            cell.metadata["nbgrader"] = dict(sorted(grader.items()))
        nb.cells.append(cell)
    return nb


def build_all(source_dir: Path = SOURCE_DIR, out_dir: Path = SOLUTIONS_DIR, *,
              check: bool = False) -> list[Path]:
    """Write every solution notebook; return those that changed (``check``: write none)."""
    changed = []
    for source in sorted(Path(source_dir).glob("ex*.txt")):
        dest = Path(out_dir) / f"{source.stem}.ipynb"
        text = dumps(build(source))
        if not dest.exists() or dest.read_text("utf-8") != text:
            changed.append(dest)
            if not check:
                dest.write_text(text, "utf-8")
    return changed
