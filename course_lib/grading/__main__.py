"""Command line: ``python -m course_lib.grading`` (see :mod:`course_lib.grading`)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from course_lib.grading import notebook as nbg
from course_lib.grading.runner import format_table, grade, grade_folder


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["build-solutions"]:
        from course_lib.grading.authoring import build_all

        changed = build_all(check="--check" in argv)
        for path in changed:
            print(("stale: " if "--check" in argv else "wrote: ") + str(path))
        return 1 if "--check" in argv and changed else 0
    if argv[:1] == ["generate"]:
        parser = argparse.ArgumentParser(prog="python -m course_lib.grading generate")
        parser.add_argument("--check", action="store_true",
                            help="write nothing; exit 1 if exercises/ is stale")
        parser.add_argument("--solutions", type=Path, default=nbg.SOLUTIONS_DIR)
        parser.add_argument("--exercises", type=Path, default=nbg.EXERCISES_DIR)
        args = parser.parse_args(argv[1:])
        changed = nbg.generate(args.solutions, args.exercises, check=args.check)
        for path in changed:
            print(("stale: " if args.check else "wrote: ") + str(path))
        return 1 if args.check and changed else 0
    parser = argparse.ArgumentParser(prog="python -m course_lib.grading",
                                     description="Grade exercise submissions.")
    parser.add_argument("submission", type=Path, help="a notebook, or a folder of notebooks")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--csv", type=Path, help="for a folder: write grades to this CSV")
    parser.add_argument("--solutions", type=Path, default=nbg.SOLUTIONS_DIR)
    parser.add_argument("--cell-timeout", type=float, default=30.0,
                        help="seconds for one answer cell (default 30, as nbgrader)")
    parser.add_argument("--call-timeout", type=float, default=10.0,
                        help="seconds for one call of student code by a test")
    args = parser.parse_args(argv)
    options = {"solutions_dir": args.solutions, "cell_timeout": args.cell_timeout,
               "call_timeout": args.call_timeout}
    if args.submission.is_dir():
        out = args.csv or Path("grades.csv")
        reports = grade_folder(args.submission, out, **options)
        if args.json:
            print(json.dumps(reports, ensure_ascii=False, indent=1))
        else:
            print("\n\n".join(format_table(r) for r in reports))
            print(f"\nCSV: {out}")
        return 0
    report = grade(args.submission, **options)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        print(format_table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
