"""The practice questions in exam/practice/: enough of them, every topic sheet covered, model
answers at exam length in the answer structure, a figure and a judgement in every long answer,
self-check grading points that reward the figure and the judgement, an English edition, and
the course's own measured numbers quoted as the lessons assert them.

How length is counted (also stated in exam/practice/README.md): the non-whitespace characters
of the Korean model answer (from "### 모범 답안" to "### 채점 포인트"), without the figures
(fenced blocks), without markdown markup (| * # ` and the table rule lines) and without
list markers. The English edition is not counted.
"""

from __future__ import annotations

import math
import re
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from tools import glossary_check

ROOT = Path(__file__).resolve().parents[1]
PRACTICE = ROOT / "exam" / "practice"
TOPICS = ROOT / "exam" / "topics"
LESSONS = ROOT / "notebooks" / "_source"

LENGTH = {25: (3000, 4000), 10: (1000, 1400)}  # Korean characters, counted as above
EN_MIN_WORDS = {25: 1000, 10: 330}
HEADINGS = {
    25: (["**Ⅰ. 개요**", "**Ⅱ. 구성 요소와 원리**", "**Ⅲ. 비교**", "**Ⅳ. 적용**",
          "**Ⅴ. 기대 효과와 결론**"],
         ["**I. Overview**", "**II. Components and principles**", "**III. Comparison**",
          "**IV. Application**", "**V. Expected effects and conclusion**"]),
    10: (["**1. 개요**", "**2. 원리**", "**3. 비교**", "**4. 적용과 판단**"],
         ["**1. Overview**", "**2. Principle**", "**3. Comparison**",
          "**4. Application and judgement**"]),
}
QUESTION = re.compile(r"^## ([QL])(\d\d) \[(\d+)점 / (\d+) points\] (.+)$", flags=re.M)
SHEETS_LINE = re.compile(r"^> 관련 시트 / Sheets: ([\d, ]+)$", flags=re.M)
FENCE = re.compile(r"```\n(.*?)```", flags=re.S)
DRAWING = re.compile(r"[─│┌┐└┘├┤┬┴┼═║╭╮╯╰→←↑↓↗↘╲╱▲▼●○■□]|->|-->|\|")

# Sheets announced by issue 13 and written in parallel by the exam helper: a question may name
# one before its file lands. Once the file exists, its title must be the announced topic, so a
# different numbering fails here instead of silently mis-tagging questions.
ANNOUNCED = {
    "11": ("vanishing", "initiali"),
    "12": ("backprop",),
    "13": ("regulari",),
    "14": ("distributed", "memory"),
    "15": ("optimizer",),
}

# ----------------------------------------------------------------------------- parsing
def _split(body: str, start: str, end: str | None) -> str:
    i = body.index(start)
    j = body.index(end, i) if end else len(body)
    return body[i + len(start): j]


def parse(text: str, where: str = "?") -> list[dict]:
    """Questions in one practice file: id, points, sheets and the six parts."""
    heads = list(QUESTION.finditer(text))
    out = []
    for h, nxt in zip(heads, [*heads[1:], None], strict=False):
        body = text[h.end(): nxt.start() if nxt else None]
        sheets = SHEETS_LINE.search(body)
        out.append({
            "id": h.group(1) + h.group(2), "kind": h.group(1), "points": int(h.group(3)),
            "points_en": int(h.group(4)), "title": h.group(5), "where": where,
            "sheets": [s.strip() for s in sheets.group(1).split(",")] if sheets else [],
            "question": _split(body, "### 문제", "### 모범 답안"),
            "ko": _split(body, "### 모범 답안", "### 채점 포인트"),
            "ko_points": _split(body, "### 채점 포인트", "### Question"),
            "question_en": _split(body, "### Question", "### Model answer"),
            "en": _split(body, "### Model answer", "### Grading points"),
            "en_points": _split(body, "### Grading points", None),
        })
    return out


def all_questions() -> list[dict]:
    qs = []
    for path in sorted(PRACTICE.glob("*.md")):
        qs += parse(path.read_text(encoding="utf-8"), path.name)
    return qs


def korean_length(answer: str) -> int:
    """Non-whitespace characters of a Korean answer, without figures, markup or list markers."""
    text = FENCE.sub("", answer)
    text = re.sub(r"^\s*\|?[-:| ]+\|\s*$", "", text, flags=re.M)   # table rule lines
    text = re.sub(r"^\s*(?:- |\d+\. (?=\S))", "", text, flags=re.M)  # bullets, "1. "
    text = re.sub(r"[|*#`\\]", "", text)
    return len(re.sub(r"\s", "", text))


def figures(answer: str) -> list[str]:
    return [f for f in FENCE.findall(answer) if DRAWING.search(f)]


def wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


# ------------------------------------------------------------------------------ checks
def check_answer(q: dict) -> list[str]:
    """Everything a model answer must have; returns the problems found (empty: fine)."""
    problems = []
    pts, ko, en = q["points"], q["ko"], q["en"]
    lo, hi = LENGTH[pts]
    n = korean_length(ko)
    if not lo <= n <= hi:
        problems.append(f"Korean answer has {n} characters, expected {lo}–{hi}")
    for half, marks in ((ko, HEADINGS[pts][0]), (en, HEADINGS[pts][1])):
        at = [half.find(m) for m in marks]
        if -1 in at:
            problems.append(f"missing heading {marks[at.index(-1)]}")
        elif at != sorted(at):
            problems.append("headings out of order")
    level2 = re.findall(r"^\s*- [가-하]\. ", ko, flags=re.M)
    level3 = re.findall(r"^\s*- \d+\\?\) ", ko, flags=re.M)
    need2, need3 = (8, 4) if pts == 25 else (3, 1)
    if len(level2) < need2 or len(level3) < need3:
        problems.append(f"numbered levels: {len(level2)} 가.-items, {len(level3)} 1)-items")
    if "기술사로서의 판단" not in ko:
        problems.append("no 기술사로서의 판단 line")
    if "engineer's judgement" not in en.lower():
        problems.append("no engineer's judgement line in English")
    problems += check_figures(q)
    problems += check_endings(ko)
    words = len(re.findall(r"[A-Za-z]+", FENCE.sub("", en)))
    if words < EN_MIN_WORDS[pts]:
        problems.append(f"English edition has {words} words, expected ≥ {EN_MIN_WORDS[pts]}")
    return problems


def check_figures(q: dict) -> list[str]:
    problems = []
    for half, caption in ((q["ko"], r"〈그림 \d+〉"), (q["en"], r"Figure \d+\.")):
        found = figures(half)
        if q["points"] == 25 and not (found and re.search(caption, half)):
            problems.append(f"no labelled figure ({caption})")
        for fig in found:  # Hangul is double width in monospace: keep it out of the drawing
            bad = sorted({ch for ch in fig if wide(ch)})
            if bad:
                problems.append(f"wide characters inside a figure: {''.join(bad)}")
            problems += [f"figure not aligned: {m}" for m in misaligned(fig)]
    return problems


def _cells(line: str) -> dict[int, str]:
    """Characters by monospace column (combining marks such as the hat of m̂ take none)."""
    out, col = {}, 0
    for ch in line:
        if not unicodedata.combining(ch):
            out[col] = ch
            col += 1
    return out


def misaligned(fig: str) -> list[str]:
    """Box-drawing connectors with nothing to connect to in the row above or below."""
    down, up = set("┌┐┬├┤┼│"), set("└┘┴├┤┼│")
    rows = [_cells(line) for line in fig.splitlines()]
    found = []
    for r, row in enumerate(rows):
        below = rows[r + 1] if r + 1 < len(rows) else {}
        above = rows[r - 1] if r > 0 else {}
        for col, ch in row.items():
            diagonal = any(below.get(col + d, " ") in "╱╲" for d in (-1, 0, 1))
            if ch in down and below.get(col, " ") == " " and not diagonal:
                found.append(f"row {r} column {col}: '{ch}' has nothing below")
            if ch in up and above.get(col, " ") == " ":
                found.append(f"row {r} column {col}: '{ch}' has nothing above")
    return found


def check_endings(ko: str) -> list[str]:
    """개조식: noun-form endings (~함, ~임), not sentences ending in ~다."""
    prose = FENCE.sub("", ko)
    lines = [ln.strip() for ln in prose.splitlines()
             if ln.strip() and not ln.lstrip().startswith("|")]
    endings = [ln for ln in lines if re.search(r"(다|요)\.?$", ln)]
    return [f"sentence ending instead of a noun form: {ln[-40:]}" for ln in endings[:3]]


def check_grading(q: dict) -> list[str]:
    problems = []
    ko, en = q["ko_points"], q["en_points"]
    if "자가 점검" not in ko.splitlines()[0] or "self-check" not in en.splitlines()[0]:
        problems.append("grading points not labelled as a self-check")
    items = re.findall(r"^- (.*)\((\d+)점\)\s*$", ko, flags=re.M)
    total = sum(int(p) for _, p in items)
    if total != q["points"]:
        problems.append(f"Korean grading points add up to {total}")
    en_total = sum(map(int, re.findall(r"\((\d+)\)\s*$", en, flags=re.M)))
    if en_total != q["points"]:
        problems.append(f"English grading points add up to {en_total}")
    judged = sum(int(p) for text, p in items if "판단" in text)
    drawn = sum(int(p) for text, p in items if "그림" in text)
    arithmetic = sum(int(p) for text, p in items if "계산" in text)
    if judged < (3 if q["points"] == 25 else 2):
        problems.append(f"only {judged} points for the candidate's judgement")
    if q["points"] == 25 and drawn < 3:
        problems.append(f"only {drawn} points for the figure")
    if arithmetic > 0.3 * q["points"]:
        problems.append(f"{arithmetic} points for arithmetic")
    return problems


QS = all_questions()
IDS = [q["id"] for q in QS]


# ------------------------------------------------------------------------------ tests
def test_enough_questions_of_both_kinds():
    assert len(QS) >= 40
    assert sum(q["points"] == 25 for q in QS) >= 16
    assert sum(q["points"] == 10 for q in QS) >= 24
    assert len(set(IDS)) == len(IDS), "duplicate question ids"
    for q in QS:
        assert q["points"] == q["points_en"] and (q["kind"] == "L") == (q["points"] == 25), q["id"]


@pytest.mark.parametrize("q", QS, ids=IDS)
def test_model_answer_length_structure_figure_and_judgement(q):
    assert not check_answer(q), f"{q['id']} ({q['where']}): {check_answer(q)}"


@pytest.mark.parametrize("q", QS, ids=IDS)
def test_grading_points_are_a_self_check_that_rewards_figure_and_judgement(q):
    assert not check_grading(q), f"{q['id']}: {check_grading(q)}"


@pytest.mark.parametrize("q", QS, ids=IDS)
def test_question_is_worded_as_the_exam_words_it(q):
    assert re.search(r"시오\.\s*$", q["question"].strip()), q["id"]
    assert q["question_en"].strip().endswith("."), q["id"]
    assert q["sheets"], f"{q['id']}: no '> 관련 시트 / Sheets:' line"


def _sheet_numbers() -> dict[str, Path]:
    return {p.name[:2]: p for p in sorted(TOPICS.glob("[0-9][0-9]_*.md"))}


def test_every_topic_sheet_is_covered_and_every_tag_names_a_sheet():
    sheets = _sheet_numbers()
    tagged = {s for q in QS for s in q["sheets"]}
    missing = sorted(set(sheets) - tagged)
    assert not missing, f"no practice question on sheet(s) {missing}"
    for tag in tagged:
        assert tag in sheets or tag in ANNOUNCED, f"tag {tag} names no sheet"
    for number, keywords in ANNOUNCED.items():
        if number in sheets:
            title = sheets[number].read_text(encoding="utf-8").splitlines()[0].lower()
            assert any(k in title for k in keywords), f"sheet {number} is not {keywords}"
    for number in ANNOUNCED:   # each announced topic has at least one long and one short question
        kinds = {q["kind"] for q in QS if number in q["sheets"]}
        assert kinds == {"L", "Q"}, f"sheet {number}: {kinds}"


def test_no_rejected_vocabulary_in_the_practice_pack():
    # The glossary's own table of rejected forms (course_lib.i18n, via tools.glossary_check),
    # applied to the practice files; shown failing on a planted sentence first.
    planted = glossary_check.Passage("planted", 1, "헤시안을 쓰는 닫힌 해와 부호 규약, 최대값")
    assert {f.label for f in glossary_check.rejected_form_findings([planted])} >= {
        "헤시안", "닫힌 해", "부호 규약", "최소값"}
    passages = [p for p in glossary_check.student_passages() if "exam/practice/" in p.where]
    assert {p.where for p in passages} >= {f"exam/practice/{path.name}"
                                          for path in PRACTICE.glob("*.md")}
    findings = glossary_check.rejected_form_findings(passages)
    assert not findings, "\n".join(map(str, findings))


def test_percentages_carry_a_source():
    cite = re.compile(r"(19|20)\d\d|\d+장|chapter \d+")
    for path in sorted(PRACTICE.glob("*.md")):
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"\d\s*%", line):
                assert cite.search(line), f"{path.name}:{i}: a percentage without a source"


def test_issue_13_and_14_points_are_fixed():
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(PRACTICE.glob("*.md")))
    q01 = next(q for q in QS if q["id"] == "Q01")
    assert "η만큼" not in q01["ko"] and "size η" not in q01["en"]
    assert "η·∇J" in q01["ko"] and "η·∇J" in q01["en"]
    assert "부호" not in next(q for q in QS if q["id"] == "Q05")["ko"]
    for line in text.splitlines():
        if "PyTorch" in line and ("기본값" in line or "default" in line.lower()):
            assert "LAMB" not in line, f"LAMB listed with PyTorch defaults: {line}"
    q10 = next(q for q in QS if q["id"] == "Q10")
    assert "Algorithm 7.1" in q10["ko"] and "GL" in q10["ko"]   # Prechelt proposed GL/PQ/UP
    q07 = next(q for q in QS if q["id"] == "Q07")
    assert "3.16" in q07["ko"] and "√v̂" in q07["ko"]


# The course's own measured numbers, quoted with their chapter: each must still be what the
# lesson asserts (if a lesson changes, the quote must change with it).
MEASURED = [  # (text in the practice pack, lesson file, the lesson's assert that backs it)
    ("691", "05_momentum_nesterov.txt", "(n_gd, n_hb) == (691, 91)"),
    ("91회", "05_momentum_nesterov.txt", "(n_gd, n_hb) == (691, 91)"),
    ("207", "05_momentum_nesterov.txt", "(n_momentum, n_nesterov) == (237, 207)"),
    ("3.16", "07_adam_adamw.txt", "0.1 / np.sqrt(0.001)"),
    ("56 GB", "07_adam_adamw.txt", "assert adam_state_gb == 56"),
    ("−34", "08_convergence_monitoring.txt", "round(grads_at[0.9]) == -34"),
    ("0.37", "07_adam_adamw.txt", "round(w_ridge[1], 2) == 0.37"),
]


@pytest.mark.parametrize("quoted,lesson,assertion", MEASURED, ids=[m[0] for m in MEASURED])
def test_quoted_course_measurements_match_the_lessons(quoted, lesson, assertion):
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(PRACTICE.glob("*.md")))
    assert quoted in text, f"{quoted} is not quoted in the practice pack"
    assert assertion in (LESSONS / lesson).read_text(encoding="utf-8"), \
        f"{lesson} no longer asserts {assertion}: update the practice answers"


# ----------------------------------------------------- the checks fail on planted answers
PLANTED = """## Q99 [10점 / 10 points] 심어 둔 짧은 답안
> 관련 시트 / Sheets: 01

### 문제
경사 하강법을 설명하시오.

### 모범 답안
**1. 개요**
- 가. 기울기 반대 방향으로 움직인다.

### 채점 포인트 (자가 점검용 · 공식 채점 기준 아님)
- 정의(10점)

### Question
Explain gradient descent.

### Model answer
**1. Overview**
- Moves against the gradient.

### Grading points (self-check, not an official rubric)
- Definition (10)
"""


def test_checks_fail_on_a_planted_short_answer():
    (q,) = parse(PLANTED, "planted")
    problems = " ".join(check_answer(q))
    assert "characters, expected 1000–1400" in problems      # far too short
    assert "missing heading **2. 원리**" in problems
    assert "sentence ending instead of a noun form" in problems   # "움직인다."
    assert "no 기술사로서의 판단 line" in problems
    assert any("judgement" in p for p in check_grading(q))


def test_checks_fail_on_a_long_answer_with_a_part_removed():
    long_q = next(q for q in QS if q["points"] == 25)
    assert not check_answer(long_q)
    broken = dict(long_q, ko=long_q["ko"].replace("**Ⅲ. 비교**", "**비교**"))
    assert "missing heading **Ⅲ. 비교**" in check_answer(broken)
    no_figure = dict(long_q, ko=FENCE.sub("", long_q["ko"]))
    assert any("no labelled figure" in p for p in check_answer(no_figure))
    hangul_in_figure = dict(long_q, ko=long_q["ko"].replace("```\n", "```\n손실 →\n", 1))
    assert any("wide characters" in p for p in check_answer(hangul_in_figure))
    shifted = long_q["ko"].replace("```\n", "```\n ┌──┐\n │  │\n  └──┘\n", 1)   # one column off
    assert any("figure not aligned" in p for p in check_answer(dict(long_q, ko=shifted)))
    padded = dict(long_q, ko=long_q["ko"] + "\n- 가. " + "가" * 1200 + "함\n")
    assert any("expected 3000–4000" in p for p in check_answer(padded))


# ------------------------------------ worked numbers, recomputed from their closed forms
def _fp16_rounds_away(x: float) -> bool:
    return float(np.float16(1.0) + np.float16(x)) == 1.0


WORKED = [  # (question, number as written in both editions, value computed independently)
    ("Q01", "0.256", 4 * 0.4**3),
    ("Q03", "0.025", 0.1 * 0.5 ** (25 // 10)),
    ("Q03", "0.0177", 0.1 * 0.5 ** 2.5),
    ("Q05", "0.76", 0.9 - 0.1 * (0.9 * 1 + 0.5)),
    ("Q07", "3.16", 0.1 / math.sqrt(0.001)),
    ("Q07", "31.6", 1 / math.sqrt(0.001)),
    ("Q08", "1.88", 2 * (1 - 0.1 * 0.1) - 0.1),
    ("Q09", "0.59999988", 3 / (5 + 1e-6)),
    ("Q11", "0.0028", 0.001 * math.sqrt(8)),
    ("Q12", "101.03", math.log(1e8) / math.log(1.2)),
    ("Q12", "102", math.ceil(math.log(1e8) / math.log(1.2))),
    ("Q15", "9.5", 0.25**10 * 1e7),
    ("Q16", "0.0442", math.sqrt(2 / 1024)),
    ("Q16", "0.0625", math.sqrt(2 / 512)),
    ("Q18", "∂J/∂w = 4", None),   # checked by finite differences below
    ("Q21", "120 GB", 16 * 7.5e9 / 1e9),
    ("Q21", "31.4 GB", (4 + 12 / 64) * 7.5),
    ("Q21", "16.6 GB", (2 + 14 / 64) * 7.5),
    ("Q21", "1.9 GB", 16 / 64 * 7.5),
    ("Q22", "65504", float(np.finfo(np.float16).max)),
    ("Q22", "6.1", float(np.finfo(np.float16).smallest_normal) * 1e5),
    ("Q22", "6.0", 2.0**-24 * 1e8),
    ("Q23", "4.996", 1999 - 2 * 5 * 0.999**5 / (1 - 0.999**5)),
    ("L02", "0.053", 0.1 / (2 - 0.1)),
    ("L03", "691", math.ceil(math.log(1e-6) / math.log(99 / 101))),
    ("L03", "69", math.ceil(math.log(1e-6) / math.log(9 / 11))),
    ("L03", "0.634", 0.81 - 0.1 * (0.5 + 0.9 * 1.4)),
    ("L11", "1.93", 2 - 0.1 * (0.5 + 0.1 * 2)),
    ("L13", "20", 1.4e12 / 70e9),
]


@pytest.mark.parametrize("qid,written,value", WORKED, ids=[f"{w[0]}:{w[1]}" for w in WORKED])
def test_worked_numbers_agree_with_their_closed_form_in_both_editions(qid, written, value):
    q = next(q for q in QS if q["id"] == qid)
    for half in (q["ko"], q["en"]):
        assert written in half, f"{qid}: {written} missing from an edition"
    if value is not None:
        number = float(re.search(r"[\d.]+", written.replace(",", "")).group())
        digits = len(written.split(".")[1].split()[0]) if "." in written else 0
        assert round(value, digits) == pytest.approx(number), (qid, written, value)


def test_small_backprop_example_matches_finite_differences():
    # Q18 and L10: J = (wx + b − y)² at x = 2, w = 1, b = 0, y = 1 gives ∂J/∂w = 4, ∂J/∂b = 2.
    def loss(w, b):
        return (w * 2.0 + b - 1.0) ** 2

    h = 1e-6
    assert (loss(1 + h, 0) - loss(1 - h, 0)) / (2 * h) == pytest.approx(4.0)
    assert (loss(1, h) - loss(1, -h)) / (2 * h) == pytest.approx(2.0)
    for qid in ("Q18", "L10"):
        q = next(q for q in QS if q["id"] == qid)
        assert "∂J/∂w = 4" in q["ko"] and "∂J/∂b = 2" in q["en"]


def test_fp16_rounding_claim_in_q22():
    # "adding about 4.9 × 10⁻⁴ (2⁻¹¹) or less to 1 leaves 1" in FP16; a bit more is kept.
    assert _fp16_rounds_away(2.0**-11) and not _fp16_rounds_away(2.0**-10)
    assert f"{2.0**-11:.1e}" == "4.9e-04"


# Numbers the answers quote from the topic sheets' course_lib computations (written by the
# exam helper this round). Each must be in the answer; once the sheet reports course_lib
# computations (the new and extended sheets do), it must hold the same number.
FROM_SHEETS = [
    ("L09", "11", "2.7e-06"), ("L09", "11", "4.9e-12"), ("L09", "11", "442"),
    ("L10", "12", "19.2 MFLOP"), ("L10", "12", "36.3 MFLOP"), ("L10", "12", "2.89"),
    ("L10", "12", "76,180"),
    ("L14", "15", "0.026"), ("L14", "15", "8,388,608"), ("L14", "15", "17,825,792"),
    ("L14", "15", "5,120"),
    ("L15", "10", "766"), ("L15", "10", "23,056"),
]


@pytest.mark.parametrize("qid,sheet,number", FROM_SHEETS,
                         ids=[f"{f[0]}:{f[2]}" for f in FROM_SHEETS])
def test_numbers_quoted_from_topic_sheets_match_the_sheet(qid, sheet, number):
    q = next(q for q in QS if q["id"] == qid)
    assert number in q["ko"] and number in q["en"], f"{qid}: {number} missing from an edition"
    assert sheet in q["sheets"], f"{qid} quotes sheet {sheet} without tagging it"
    path = _sheet_numbers().get(sheet)
    text = path.read_text(encoding="utf-8") if path else ""
    if "course_lib" in text:   # the sheet's computations have landed: the quote must match
        assert number in text, f"sheet {sheet} no longer says {number}: update {qid}"


def test_readme_index_lists_every_question_with_its_file_and_sheets():
    index = (PRACTICE / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| ([QL]\d\d) \| (\d+) \| (.+?) \| ([\d, ]+) \| \[(.+?)\]", index, re.M)
    listed = {r[0]: r for r in rows}
    assert set(listed) == set(IDS), f"README index out of date: {set(IDS) ^ set(listed)}"
    for q in QS:
        _, points, title, sheets, where = listed[q["id"]]
        assert (int(points), title, where) == (q["points"], q["title"], q["where"]), q["id"]
        assert [s.strip() for s in sheets.split(",")] == q["sheets"], q["id"]


def test_tables_are_written_out_not_pointed_to():
    pointer = re.compile(
        r"시트 ?\d+의 표|\(표 참조\)|table of sheet|sheet \d+'s table|see the table", flags=re.I)
    assert pointer.search("Ⅲ. 비교 — (시트 03의 표)")   # the pointer the first edition used
    for q in QS:
        for half in (q["ko"], q["en"]):
            assert not pointer.search(half), f"{q['id']}: a table pointed to instead of written out"
        assert "|---|" in q["ko"] and "|---|" in q["en"], f"{q['id']}: no comparison table"
