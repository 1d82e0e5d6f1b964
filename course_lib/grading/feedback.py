"""What a teacher and a student read of a report: the text table and the feedback file.

Both show every question's whole feedback (a check's input, expected and received
values, its hint), so "not implemented" and "wrong values" read differently at a glance.
They are built from the report alone, which never holds the source of a hidden test.
"""

from __future__ import annotations

import re
import shutil
import unicodedata

from course_lib.grading.limits import format_size

_NOT_SANDBOXED = "샌드박스 없음 / NOT sandboxed (--no-sandbox): the kernel ran as the grader's user"


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (Hangul and other wide characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap(line: str, width: int) -> list[str]:
    """Split one line at spaces into pieces at most ``width`` columns wide (display width);
    continuation pieces keep the line's own indent, and a word longer than a line is cut."""
    indent = re.match(r"\s*", line).group(0)
    room = max(10, width - display_width(indent))
    words: list[str] = []
    for word in line[len(indent):].split(" "):
        while display_width(word) > room:  # a very long word (an array's repr): cut it
            cut, used = 0, 0
            while used + display_width(word[cut]) <= room:
                used += display_width(word[cut])
                cut += 1
            words.append(word[:cut])
            word = word[cut:]
        words.append(word)
    pieces, current = [], ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if current and display_width(candidate) > room:
            pieces.append(current)
            current = word
        else:
            current = candidate
    pieces.append(current)
    return [indent + piece for piece in pieces]


def sandbox_line(report: dict) -> str:
    box = report.get("sandbox") or {}
    if not box.get("used"):
        return _NOT_SANDBOXED
    lim = box.get("limits") or {}
    parts = []
    if lim:
        parts = [f"memory {format_size(lim['memory'])}", f"{lim['processes']} processes",
                 f"files {format_size(lim['file_size'])}", f"scratch {format_size(lim['scratch'])}",
                 f"CPU {lim['cpu_time']:g} s"]
    tool = box.get("tool") or "bubblewrap"
    return f"샌드박스 / sandbox: {tool}" + (f" ({', '.join(parts)})" if parts else "")


def format_table(report: dict, width: int | None = None) -> str:
    """A readable table of one report: every question with its whole feedback, wrapped.

    Parameters
    ----------
    report : dict
        What :func:`course_lib.grading.runner.grade` returned.
    width : int, optional
        Columns to wrap to (default: the terminal's width, 60 to 160).
    """
    if width is None:
        width = min(160, max(60, shutil.get_terminal_size((100, 24)).columns))
    lines = [f"{report['exercise']}  ({report['notebook']})"]
    lines += wrap(f"  {sandbox_line(report)}", width)
    name_width = max([len(q["id"]) for q in report["questions"]] + [8])
    lead = 2 + name_width + 2 + 7 + 2
    for q in report["questions"]:
        mark = "manual" if q["manual"] else f"{q['score']:g}/{q['max_score']:g}"
        body = [piece for text in (q["feedback"] or "").splitlines() or [""]
                for piece in wrap(text, width - lead)]
        lines.append(f"  {q['id']:<{name_width}}  {mark:>7}  {body[0]}".rstrip())
        lines.extend((" " * lead + piece).rstrip() for piece in body[1:])
    total = f"{report['score']:g}/{report['max_score']:g}"
    lines.append(f"  {'total':<{name_width}}  {total:>7}  (+{report['manual_max_score']:g} manual)")
    for error in report["errors"]:
        pieces = wrap(error, width - 4)
        lines.append(f"  ! {pieces[0]}")
        lines.extend(f"    {p}" for p in pieces[1:])
    return "\n".join(lines)


def _fence(text: str) -> str:
    """A Markdown code fence longer than any run of backticks in ``text``."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def feedback_markdown(report: dict, name: str) -> str:
    """The student's feedback file (Markdown, Korean then English) for one report.

    ``name`` is how the submission is shown (its path inside the submissions folder).
    """
    score = f"{report['score']:g} / {report['max_score']:g}"
    lines = [f"# 채점 결과 / Grading report: {report['exercise'] or '?'}", "",
             f"- 제출 파일 / submission: `{name}`",
             f"- 자동 채점 점수 / automatic score: **{score}**"]
    manual = report["manual_max_score"]
    if manual:
        lines.append(f"- 손으로 채점할 서술형 / written answers graded by hand: "
                     f"최대 {manual:g}점 / up to {manual:g} more point{'' if manual == 1 else 's'}")
    lines += [f"- {sandbox_line(report)}", ""]
    if report["questions"]:
        lines += ["| 문항 / question | 점수 / score |", "|---|---|"]
        for q in report["questions"]:
            mark = "수동 / by hand" if q["manual"] else f"{q['score']:g} / {q['max_score']:g}"
            lines.append(f"| {q['id']} | {mark} |")
        lines.append("")
    for q in report["questions"]:
        mark = "수동 / by hand" if q["manual"] else f"{q['score']:g} / {q['max_score']:g}"
        text = q["feedback"] or ""
        fence = _fence(text)
        lines += [f"## {q['id']} ({mark})", "", f"{fence}text", text, fence, ""]
    if report["errors"]:
        lines += ["## 채점 중 문제 / Problems while grading", ""]
        lines += [f"- {e}" for e in report["errors"]]
        lines.append("")
    return "\n".join(lines)
