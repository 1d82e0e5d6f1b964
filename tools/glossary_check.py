"""Checks of the course's Korean (and a little English) wording against its glossary.

The glossary and its table of rejected forms live in ``course_lib/i18n.py``
(``GLOSSARY``, ``REJECTED_FORMS``, ``REJECTED_FORMS_EN``).  This module collects every
piece of text a student reads -- lesson sources, exercise sources, the exam pack, the quiz
banks and the strings of ``course_lib`` (widgets, figures, grader feedback) -- as
:class:`Passage` objects, and reports where a rejected form occurs.  Like
``repo_checks``, each check returns a list of findings or problems, so a test can assert
on it and feed it planted bad input.

A sentence that quotes a wrong form on purpose (a 흔한 오해 box, the mountain analogy of
chapter 01 for 걸음) carries an allow marker naming the entry's label and a reason:

- in a markdown cell: ``<!-- glossary-allow: 걸음 — 산길 비유 -->`` (the whole cell);
- in code: ``# glossary-allow: 걸음 — reason`` on the string's line or the line above;
- in a plain markdown or HTML file: the same HTML comment (its paragraph);
- in JSON, which has no comments: an entry in the test's allow-list, with a reason.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from course_lib.i18n import REJECTED_FORMS, REJECTED_FORMS_EN

ROOT = Path(__file__).resolve().parents[1]
HANGUL = re.compile("[\uac00-\ud7a3]")
ALLOW = re.compile(r"glossary-allow:\s*(?P<label>.+?)\s*(?:—|--)\s*(?P<reason>[^>]*?)\s*(?:-->|$)",
                   re.MULTILINE)
CELL = re.compile(r"^%% (\S+(?: (?:ko|en)\b)?)", re.MULTILINE)
ALL_FORMS = REJECTED_FORMS + REJECTED_FORMS_EN
LABELS = {label for label, *_ in ALL_FORMS}


@dataclass
class Passage:
    """A piece of student-facing text: where it is, what it says, what it may quote."""

    where: str                      # "path" of the file, relative to the repository
    line: int                       # line of the file where ``text`` starts
    text: str
    allowed: dict[str, str] = field(default_factory=dict)   # label -> reason
    kind: str = ""                  # "md ko", "md en", "md", "code", "json", "text"
    marker_at: int = 0              # line of the allow marker (0: the passage's own line)


@dataclass(frozen=True)
class Finding:
    where: str
    line: int
    label: str
    found: str
    use: str

    def __str__(self) -> str:
        return f"{self.where}:{self.line}: '{self.found}' ({self.label}) -> use '{self.use}'"


def _markers(text: str) -> dict[str, str]:
    return {m["label"]: m["reason"] for m in ALLOW.finditer(text)}


def _cells(text: str) -> list[tuple[str, int, str]]:
    """Split a ``%% kind``-marked source into (kind, first body line, body)."""
    starts = list(CELL.finditer(text))
    cells = []
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        body = text[m.end():end]
        line = text.count("\n", 0, m.start()) + 2
        cells.append((m[1], line, body.split("\n", 1)[1] if "\n" in body else ""))
    return cells


def _python_passages(source: str, where: str, first_line: int = 1) -> list[Passage]:
    """String literals of a piece of Python, each with the markers on its line or above."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return [Passage(where, first_line, source, _markers(source), "code")]
    lines = source.splitlines()
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            start, end = node.lineno, node.end_lineno or node.lineno
            at = next((i for i in range(start, end + 1) if ALLOW.search(lines[i - 1])), None)
            if at is None and start > 1 and lines[start - 2].lstrip().startswith("#"):
                at = start - 1 if ALLOW.search(lines[start - 2]) else None
            allowed = _markers(lines[at - 1]) if at else {}
            out.append(Passage(where, first_line + start - 1, node.value, allowed, "code",
                               first_line + at - 1 if at else 0))
    return out


def cell_source_passages(path: Path, root: Path = ROOT) -> list[Passage]:
    """A lesson (``notebooks/_source``) or exercise (``solutions/_source``) source file."""
    where = str(path.relative_to(root))
    out = []
    for kind, line, body in _cells(path.read_text(encoding="utf-8")):
        if kind.split()[0] in ("md", "written"):
            out.append(Passage(where, line, body, _markers(body), kind))
        else:
            out += _python_passages(body, where, line)
    return out


def python_file_passages(path: Path, root: Path = ROOT) -> list[Passage]:
    source = path.read_text(encoding="utf-8")
    passages = _python_passages(source, str(path.relative_to(root)))
    tables = _rejected_form_tables(source)   # the table of rejected forms is not student text
    return [p for p in passages if not any(a <= p.line <= b for a, b in tables)]


def _rejected_form_tables(source: str) -> list[tuple[int, int]]:
    """Line ranges of assignments to ``REJECTED_FORMS*`` (they list the wrong forms)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    ranges = []
    for node in tree.body:
        targets = (node.targets if isinstance(node, ast.Assign)
                   else [node.target] if isinstance(node, ast.AnnAssign) else [])
        if any(isinstance(t, ast.Name) and t.id.startswith("REJECTED_FORMS") for t in targets):
            ranges.append((node.lineno, node.end_lineno or node.lineno))
    return ranges


def json_file_passages(path: Path, root: Path = ROOT) -> list[Passage]:
    where, out = str(path.relative_to(root)), []
    raw = path.read_text(encoding="utf-8")

    def walk(value) -> None:
        if isinstance(value, str):
            at = raw.find(json.dumps(value, ensure_ascii=False)[1:41])
            out.append(Passage(where, raw.count("\n", 0, max(at, 0)) + 1, value, kind="json"))
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(json.loads(raw))
    return out


def text_file_passages(path: Path, root: Path = ROOT) -> list[Passage]:
    """A markdown or HTML file, paragraph by paragraph (markers apply to their paragraph)."""
    where, text, out = str(path.relative_to(root)), path.read_text(encoding="utf-8"), []
    line = 1
    for paragraph in re.split(r"(\n\s*\n)", text):
        if paragraph.strip():
            out.append(Passage(where, line, paragraph, _markers(paragraph), "text"))
        line += paragraph.count("\n")
    return out


def student_passages(root: Path = ROOT) -> list[Passage]:
    """Every place a student reads course text: lessons, exercises, README, exam pack, quiz
    banks and the strings of the library (widgets, figures, grader feedback)."""
    out: list[Passage] = []
    for folder in ("notebooks/_source", "solutions/_source"):
        for path in sorted((root / folder).glob("*.txt")):
            out += cell_source_passages(path, root)
    for path in sorted((root / "course_lib").rglob("*")):
        if path.suffix == ".py":
            out += python_file_passages(path, root)
        elif path.suffix == ".json":
            out += json_file_passages(path, root)
    if (root / "README.md").exists():
        out += text_file_passages(root / "README.md", root)
    for path in sorted((root / "exam").rglob("*")):
        if path.suffix in (".md", ".html", ".txt"):
            out += text_file_passages(path, root)
        elif path.suffix == ".py":
            out += python_file_passages(path, root)
        elif path.suffix == ".json":
            out += json_file_passages(path, root)
    return out


def rejected_form_findings(passages: list[Passage], forms=ALL_FORMS) -> list[Finding]:
    """Every rejected form in the passages that no marker in its passage allows."""
    findings = []
    for passage in passages:
        for label, pattern, use, _ in forms:
            if label in passage.allowed:
                continue
            for m in re.finditer(pattern, passage.text):
                line = passage.line + passage.text.count("\n", 0, m.start())
                findings.append(Finding(passage.where, line, label, m[0], use))
    return findings


def marker_problems(passages: list[Passage], forms=ALL_FORMS) -> list[str]:
    """Allow markers must name a known label, give a reason, and allow something.

    A marker in code covers every string on its line (or the line below it): it is stale
    only when none of them holds the form it allows.
    """
    patterns = {label: pattern for label, pattern, *_ in forms}
    groups: dict[tuple[str, int, str], list[Passage]] = {}
    for p in passages:
        for label in p.allowed:
            groups.setdefault((p.where, p.marker_at or p.line, label), []).append(p)
    problems = []
    for (where, line, label), group in groups.items():
        reason = group[0].allowed[label]
        if label not in patterns:
            problems.append(f"{where}:{line}: allow marker for unknown label {label!r}")
        elif not reason:
            problems.append(f"{where}:{line}: allow marker for {label!r} has no reason")
        elif not any(re.search(patterns[label], p.text) for p in group):
            problems.append(f"{where}:{line}: stale allow marker: no {label!r} here")
    return problems


# Particles attach to inline formulas and inline code: "$x$가", "`lr`을".
_INLINE = r"(?<!\$)\$(?!\$)[^$\n]+?(?<!\$)\$(?!\$)|`[^`\n]+`"
_PARTICLE = (r"(?:이|가|을|를|은|는|의|에|에서|에게|으로|로|와|과|도|만|만큼|까지|부터|보다|처럼"
             r"|마다|뿐|이나|나|이든|든|이라|라|이다|입니다|이고|이며|이면|이므로|이라는|라는"
             r"|이라고|라고|이라면|라면|인|일|인지|이었습니다|였습니다|이었|였던|이어야|이지만"
             r"|이기|개|배|번|번째|씩)")
SPACED_PARTICLE = re.compile(rf"({_INLINE}) ({_PARTICLE}(?:이|가|을|를|은|는|의|에|에서|로|으로"
                             rf"|도|만|씩|와|과|까지|부터|일|인|이면|이고|입니다)*)(?=[\s.,;:!?()…]|$)")


def spaced_particle_problems(passages: list[Passage]) -> list[str]:
    """Korean particles written apart from the inline formula or code they follow."""
    problems = []
    for p in passages:
        if not HANGUL.search(p.text):
            continue
        for m in SPACED_PARTICLE.finditer(p.text):
            line = p.line + p.text.count("\n", 0, m.start())
            problems.append(f"{p.where}:{line}: write '{m[1]}{m[2]}', not '{m[1]} {m[2]}'")
    return problems
