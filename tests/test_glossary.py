"""One vocabulary: i18n's glossary agrees with COURSE_DESIGN.md, and student text keeps to it.

Scanned: the lesson sources (Korean and English cells, and the strings in their code), the
exercise sources, the exam pack, the quiz banks and every string in ``course_lib``
(widgets, figures, grader feedback, the i18n tables).  A sentence may quote a rejected
form on purpose with an allow marker (see ``tools/glossary_check.py``).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import glossary_check as gc
import pytest

from course_lib.i18n import GLOSSARY, REJECTED_FORMS

ROOT = Path(__file__).resolve().parents[1]
DESIGN = ROOT.parent / "shared" / "COURSE_DESIGN.md"     # CI copies shared/ beside the clone

# Rejected forms in folders other helpers rewrite this round (issue 13: the exam pack and
# the quiz banks).  One entry per (file, label), never a whole folder; the test below fails
# on an entry that no longer matches anything, so each merge that fixes a file removes it.
TEMPORARY: dict[tuple[str, str], str] = {}
# Files that cannot carry a marker (JSON) and quote a rejected form on purpose, with why.
QUOTED: dict[tuple[str, str], str] = {}


def parse_design_glossary(markdown: str) -> list[tuple[str, list[str], str]]:
    """COURSE_DESIGN.md's glossary as (Korean term, English alternatives, note) triples."""
    section = markdown.split("## Glossary", 1)[1].split("\n", 1)[1].strip().split("\n\n")[0]
    terms = []
    for entry in section.strip().split(" · "):
        for part in entry.split(" vs "):
            m = re.match(r"([\uac00-\ud7a3][\uac00-\ud7a3 /()]*?)\s+([A-Za-z].*)$", part.strip())
            assert m, f"cannot read glossary entry {part!r}"
            ko_raw, en_raw = m.groups()
            note = " ".join(re.findall(r"\(([^)]*)\)", en_raw))
            en = re.sub(r"\s*\([^)]*\)", "", en_raw).strip()
            ko_alt = re.findall(r"\(([^)]*)\)", ko_raw)
            ko = re.sub(r"\([^)]*\)", "", ko_raw).strip()
            if ko_alt and "(" in en_raw and "/" not in en:   # 파라미터(가중치) parameter (weight)
                terms.append((ko_alt[0], [re.findall(r"\(([^)]*)\)", en_raw)[0]], ""))
            if " / " in ko:                                   # 배치 / 미니배치 batch / mini-batch
                terms += [(k, [e], note) for k, e in
                          zip(ko.split(" / "), en.split(" / "), strict=True)]
            elif "/" in ko:                                   # 기울기 폭발/소실 ...
                head, tail = ko.rsplit(" ", 1)
                first, rest = en.split(" ", 1)
                terms += [(f"{head} {k}", [f"{e} {rest}"], note)
                          for k, e in zip(tail.split("/"), first.split("/"), strict=True)]
            else:                                             # 샘플 sample / data example
                terms.append((ko, [e.strip() for e in en.split(" / ")], note))
    return terms


@pytest.fixture(scope="module")
def design_terms():
    if not DESIGN.exists():
        pytest.fail(f"{DESIGN} is missing: CI copies shared/ next to the clone; locally "
                    "the worktree's ../shared must point to the shared folder")
    return parse_design_glossary(DESIGN.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def passages():
    return gc.student_passages(ROOT)


def test_the_design_glossary_is_read_in_full(design_terms):
    korean = {ko for ko, _, _ in design_terms}
    assert len(design_terms) >= 40
    assert {"스텝", "폐형 해", "잡음 바닥", "실효 학습률", "헤세 행렬", "정규 방정식", "원사이클",
            "샘플", "초기화", "정규화", "규제", "혼합 정밀도", "기울기 누적", "기울기 폭발",
            "기울기 소실", "가중치", "미니배치"} <= korean


def missing_terms(design_terms, glossary=GLOSSARY) -> list[tuple[str, list[str]]]:
    values = set(glossary.values())
    return [(ko, en) for ko, en, _ in design_terms if not any((ko, e) in values for e in en)]


def test_every_design_term_is_in_the_i18n_glossary(design_terms):
    assert missing_terms(design_terms) == [], "add these to course_lib.i18n.GLOSSARY"


def test_a_design_term_missing_from_i18n_is_caught():
    planted = ("## Glossary (ko / en)\n경사 하강법 gradient descent · 헤세 행렬 Hessian · "
               "경사 상승법 gradient ascent · 배치 / 미니배치 batch / mini-batch\n\nWriting rules")
    terms = parse_design_glossary(planted)
    assert [ko for ko, _, _ in terms] == ["경사 하강법", "헤세 행렬", "경사 상승법", "배치",
                                         "미니배치"]
    assert missing_terms(terms) == [("경사 상승법", ["gradient ascent"])]
    without_hessian = {k: v for k, v in GLOSSARY.items() if k != "hessian"}
    assert missing_terms(terms, without_hessian) == [("헤세 행렬", ["Hessian"]),
                                                      ("경사 상승법", ["gradient ascent"])]


def test_the_i18n_glossary_never_contradicts_the_design(design_terms):
    by_ko, by_en = defaultdict(set), defaultdict(set)
    for ko, en, _ in design_terms:
        by_ko[ko].update(en)
        for e in en:
            by_en[e].add(ko)
    clashes = [(key, ko, en) for key, (ko, en) in GLOSSARY.items()
               if (ko in by_ko and en not in by_ko[ko] and key not in ("converged", "diverged"))
               or (en in by_en and ko not in by_en[en])]
    assert clashes == []


def test_forms_the_design_rejects_are_in_the_table(design_terms):
    """'(not 닫힌 해 / 닫힌 식)' and '걸음 only inside ...' in the design reach REJECTED_FORMS."""
    hangul_run = r"[\uac00-\ud7a3](?:[\uac00-\ud7a3 ]*[\uac00-\ud7a3])?"
    rejected = [form for _, _, note in design_terms if " means " not in note   # 예제 is kept
                for form in re.findall(hangul_run, note)]
    assert {"닫힌 해", "닫힌 식", "걸음"} <= set(rejected)
    for form in rejected:
        assert any(re.search(pattern, form) for _, pattern, _, _ in REJECTED_FORMS), form


def test_the_scan_reaches_every_place_a_student_reads(passages):
    places = {p.where for p in passages if gc.HANGUL.search(p.text)}
    for expected in ("notebooks/_source/", "solutions/_source/", "exam/", "course_lib/quiz/bank_ko",
                     "course_lib/widgets/", "course_lib/plotting.py", "course_lib/grading/",
                     "course_lib/i18n.py"):
        assert any(w.startswith(expected) for w in places), expected
    assert any(p.text == "헤세 행렬" for p in passages)          # the glossary itself is scanned


def test_no_rejected_form_where_students_read(passages):
    left = [str(f) for f in gc.rejected_form_findings(passages)
            if (f.where, f.label) not in TEMPORARY and (f.where, f.label) not in QUOTED]
    assert left == [], "use the glossary form, or mark a deliberate quote (glossary_check)"


def test_allow_list_entries_are_still_needed(passages):
    found = {(f.where, f.label) for f in gc.rejected_form_findings(passages)}
    stale = [key for key in {**TEMPORARY, **QUOTED} if key not in found]
    assert stale == [], "this file is fixed: remove its entry from TEMPORARY/QUOTED"


def test_allow_markers_are_well_formed(passages):
    assert gc.marker_problems(passages) == []


def test_particles_attach_to_inline_formulas(passages):
    korean_markdown = [p for p in passages if p.kind in ("md ko", "md", "written")]
    assert korean_markdown
    assert gc.spaced_particle_problems(korean_markdown) == []


def test_a_planted_bad_sentence_fails(tmp_path):
    """The checks fail on planted mistakes and pass when a marker gives a reason."""
    root = tmp_path
    (root / "notebooks" / "_source").mkdir(parents=True)
    lesson = root / "notebooks" / "_source" / "99_planted.txt"
    lesson.write_text(
        "%% md ko\n"
        "학습률이 크면 한 걸음이 커지고, 닫힌 해와 달리 에포크마다 $x$ 가 바뀝니다.\n"
        "%% md ko\n"
        "<!-- glossary-allow: 걸음 — 산길 비유 -->\n"
        "산에서 한 걸음씩 내려갑니다.\n"
        "%% md en\n"
        "The two sign conventions for momentum.\n"
        "%% code\n"
        "label = text('미니 배치 크기', 'mini-batch size')\n"
        "quote = text('폐해 해', 'x')  # glossary-allow: 폐해 — a misconception box quotes it\n",
        encoding="utf-8")
    (root / "course_lib" / "quiz").mkdir(parents=True)
    (root / "course_lib" / "quiz" / "bank_ko.json").write_text(
        json.dumps([{"prompt": "B개 예제로 기울기를 구한다"}], ensure_ascii=False),
        encoding="utf-8")
    passages = gc.student_passages(root)
    found = sorted((f.where.rsplit("/", 1)[1], f.line, f.label)
                   for f in gc.rejected_form_findings(passages))
    assert found == [("99_planted.txt", 2, "걸음"), ("99_planted.txt", 2, "닫힌 해"),
                     ("99_planted.txt", 2, "에포크"), ("99_planted.txt", 7, "sign convention"),
                     ("99_planted.txt", 9, "미니 배치"), ("bank_ko.json", 1, "예제")]
    assert gc.spaced_particle_problems(passages) == [
        "notebooks/_source/99_planted.txt:2: write '$x$가', not '$x$ 가'"]
    assert gc.marker_problems(passages) == []

    bad_markers = [gc.Passage("x.md", 1, "<!-- glossary-allow: 걸음 — -->\n한 걸음", {"걸음": ""}),
                   gc.Passage("y.md", 1, "스텝", {"걸음": "산길 비유"}),
                   gc.Passage("z.md", 1, "스텝", {"발걸음": "?"})]
    assert [p.split(": ", 1)[1] for p in gc.marker_problems(bad_markers)] == [
        "allow marker for '걸음' has no reason", "stale allow marker: no '걸음' here",
        "allow marker for unknown label '발걸음'"]


def test_legitimate_uses_are_not_flagged():
    """No false positives on the uses the glossary keeps."""
    fine = ("배치 정규화와 층 정규화는 정규화이고, 특성을 정규화합니다. 이 예제에서는 "
            "다음 예제를 풉니다. 기울기(그래디언트)의 $2/L$ 가까이에서 조건수를 봅니다. "
            "Robbins–Monro 조건 수렴")
    passage = gc.Passage("fine.md", 1, fine)
    assert gc.rejected_form_findings([passage]) == []
    assert gc.spaced_particle_problems([passage]) == []
