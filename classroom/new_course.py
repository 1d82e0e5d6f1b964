"""Make (or refresh) a teacher's nbgrader course folder whose sources are the course's sets.

    python classroom/new_course.py                 # ~/course, every set in solutions/
    python classroom/new_course.py --course DIR ex01 ex03

nbgrader expects ``source/<assignment>/<notebook>.ipynb``. Each assignment here is named
by its set number (``ex01``) and its notebook is a symbolic link to the set's notebook in
``solutions/``, so what nbgrader releases is always what ``python -m course_lib.grading``
grades against: edit a set in ``solutions/_source/`` and rebuild, never in the course
folder. Run it as the teacher; it writes nothing outside the course folder.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

SOLUTIONS = Path(__file__).resolve().parents[1] / "solutions"


def assignment_name(notebook: Path) -> str:
    """``ex01_intuition.ipynb`` -> ``ex01``."""
    return notebook.stem.split("_", 1)[0]


def make_course(course: Path, solutions: Path = SOLUTIONS,
                only: list[str] | None = None) -> list[Path]:
    """Link ``course/source/exNN/exNN_slug.ipynb`` to each set; return the links made.

    Raises
    ------
    ValueError
        When ``only`` names a set that ``solutions`` does not have.
    """
    sets = {assignment_name(p): p.resolve() for p in sorted(solutions.glob("ex*.ipynb"))}
    unknown = sorted(set(only or []) - sets.keys())
    if unknown:
        raise ValueError(f"sets must be among {sorted(sets)}; got {unknown}")
    made = []
    for name, notebook in sets.items():
        if only and name not in only:
            continue
        link = course / "source" / name / notebook.name
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.is_symlink() or link.exists():
            if link.resolve() == notebook:
                continue
            link.unlink()
        link.symlink_to(notebook)
        made.append(link)
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python classroom/new_course.py",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="*", help="set names (ex01 ...); default: all")
    parser.add_argument("--course", type=Path, default=Path("~/course").expanduser(),
                        help="the course folder (default ~/course)")
    parser.add_argument("--solutions", type=Path, default=SOLUTIONS)
    args = parser.parse_args(argv)
    try:
        made = make_course(args.course, args.solutions, args.sets or None)
    except ValueError as exc:
        parser.error(str(exc))
    for link in made:
        print(f"linked {link} -> {link.resolve()}")
    print(f"course folder: {args.course} ({len(made)} new links)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
