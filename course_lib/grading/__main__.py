"""Command line: ``python -m course_lib.grading`` (see :mod:`course_lib.grading`).

Exit status: 0 graded; 2 bad arguments; 3 refused (no usable sandbox, and no
``--no-sandbox``); 130 interrupted (a folder: run the same command again to resume).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from course_lib.grading import notebook as nbg
from course_lib.grading.feedback import format_table
from course_lib.grading.limits import Limits, parse_size

EXIT_REFUSED = 3
EXIT_INTERRUPTED = 130


def _size(name: str):
    def parse(text: str) -> int:
        try:
            return parse_size(text, name)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    return parse


def _number(name: str, low: float, kind: type = float):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or value < low:
            raise argparse.ArgumentTypeError(f"{name} must be a number >= {low:g}; got {text!r}")
        return value
    return parse


def build_parser() -> argparse.ArgumentParser:
    defaults = Limits()
    parser = argparse.ArgumentParser(
        prog="python -m course_lib.grading",
        description="Grade exercise submissions, each kernel in its own sandbox (bubblewrap).")
    parser.add_argument("submission", type=Path, help="a notebook, or a folder of notebooks")
    parser.add_argument("--json", action="store_true", help="print the report(s) as JSON")
    parser.add_argument("--solutions", type=Path, default=nbg.SOLUTIONS_DIR)
    folder = parser.add_argument_group("a folder of submissions")
    folder.add_argument("--csv", type=Path, help="write grades to this CSV (default grades.csv)")
    folder.add_argument("--feedback", type=Path, metavar="DIR",
                        help="one feedback file per submission (default: grades-feedback/ "
                             "beside grades.csv); also holds the saved reports that make a "
                             "rerun resume")
    folder.add_argument("--jobs", type=_number("--jobs", 1, int), metavar="N",
                        help="submissions graded at once (default: the number of cores)")
    folder.add_argument("--regrade", action="store_true",
                        help="grade everything again instead of resuming")
    timing = parser.add_argument_group("time limits (seconds)")
    timing.add_argument("--cell-timeout", type=_number("--cell-timeout", 0.1), default=30.0,
                      help="one answer cell (default 30, as nbgrader)")
    timing.add_argument("--call-timeout", type=_number("--call-timeout", 0.1), default=10.0,
                      help="one call of student code by a test (default 10)")
    timing.add_argument("--time-limit", type=_number("--time-limit", 1.0), default=600.0,
                      help="one whole submission, restarts included (default 600)")
    box = parser.add_argument_group("the sandbox, per submission")
    box.add_argument("--memory", type=_size("--memory"), default=defaults.memory,
                     help="memory (default 2GiB)")
    box.add_argument("--processes", type=_number("--processes", 16, int),
                     default=defaults.processes, help="processes and threads (default 64)")
    box.add_argument("--file-size", type=_size("--file-size"), default=defaults.file_size,
                     help="largest file written (default 256MiB)")
    box.add_argument("--scratch", type=_size("--scratch"), default=defaults.scratch,
                     help="the private scratch folder /tmp (default 256MiB)")
    box.add_argument("--cpu-time", type=_number("--cpu-time", 1.0), default=defaults.cpu_time,
                     help="CPU seconds of one kernel process (default 120)")
    box.add_argument("--cpus", type=_number("--cpus", 0.1), default=defaults.cpus,
                     help="cores one sandbox may keep busy, where a cgroup can be made "
                          "(default 1)")
    box.add_argument("--no-sandbox", action="store_true",
                     help="run kernels as your own user, with your files and network: "
                          "only for notebooks you trust")
    return parser


def _grade(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from course_lib.grading.parallel import GradingInterrupted, default_feedback_dir, grade_folder
    from course_lib.grading.runner import grade, resolve_sandbox
    from course_lib.grading.sandbox import SandboxUnavailable

    try:
        limits = Limits(memory=args.memory, processes=args.processes, file_size=args.file_size,
                        scratch=args.scratch, cpu_time=args.cpu_time, cpus=args.cpus)
    except ValueError as exc:  # "file_size must be ..." -> "--file-size must be ..."
        name, rest = str(exc).split(" ", 1)
        parser.error(f"--{name.replace('_', '-')} {rest}")
    try:
        sandbox = resolve_sandbox(not args.no_sandbox, limits)
    except SandboxUnavailable as exc:
        print(f"채점하지 않습니다 / not grading: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    if sandbox is None:
        print("경고 / warning: --no-sandbox: student code runs as your user, with your files "
              "and your network", file=sys.stderr)
    options = {"solutions_dir": args.solutions, "cell_timeout": args.cell_timeout,
               "call_timeout": args.call_timeout, "time_limit": args.time_limit,
               "sandbox": sandbox if sandbox is not None else False}
    if args.submission.is_dir() and not args.submission.is_symlink():
        out = args.csv or Path("grades.csv")
        try:
            reports = grade_folder(args.submission, out, jobs=args.jobs,
                                   feedback_dir=args.feedback, resume=not args.regrade,
                                   **options)
        except GradingInterrupted as exc:
            print(f"\n중단됨 / interrupted: {exc.done} of {exc.total} graded and saved; run the "
                  "same command again to grade the rest", file=sys.stderr)
            return EXIT_INTERRUPTED
        if args.json:
            print(json.dumps(reports, ensure_ascii=False, indent=1))
        else:
            print("\n\n".join(format_table(r) for r in reports))
            feedback = args.feedback or default_feedback_dir(out)
            print(f"\nCSV: {out}\n피드백 / feedback: {feedback}/")
        return 0
    try:
        report = grade(args.submission, **options)
    except KeyboardInterrupt:
        print("\n중단됨 / interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        print(format_table(report))
    return 0


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
    parser = build_parser()
    return _grade(parser.parse_args(argv), parser)


if __name__ == "__main__":
    sys.exit(main())
