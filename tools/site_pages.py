"""The pages of the course site that are not lessons, in each edition's language.

Used by ``tools/build_site.py``: the landing pages, the glossary (from
:data:`course_lib.i18n.GLOSSARY`), the notes under playgrounds and on exercise pages, the exam
pack split into its Korean and English halves (:func:`split_bilingual`), and the site's root
page, which offers both editions.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

HANGUL = re.compile(r"[\uac00-\ud7a3]")
LATIN = re.compile(r"[A-Za-z]")
LANG_NAMES = {"ko": "한국어", "en": "English"}

# One entry per string a page shows; Korean in 합니다체, English written, not translated.
TEXT = {
    "title": {"ko": "경사 하강법", "en": "Gradient Descent"},
    "intro": {
        "ko": "산을 내려가는 직관에서 시작해 학습률, 미니배치, 모멘텀, AdaGrad·RMSprop, "
              "Adam·AdamW, 수렴 분석과 튜닝, scikit-learn 내부 동작까지 다루는 강좌입니다. "
              "모든 공식은 `course_lib` 패키지에서 실제로 실행되며, 이 사이트의 그림과 출력은 "
              "테스트에서 실행한 노트북의 결과 그대로입니다.",
        "en": "A course that starts from the intuition of walking down a foggy mountain and "
              "goes through the learning rate, mini-batches, momentum, AdaGrad and RMSprop, "
              "Adam and AdamW, convergence, tuning and what scikit-learn does inside. Every "
              "formula runs in the `course_lib` package, and the figures and outputs on this "
              "site are those of the notebooks as the test suite ran them.",
    },
    "live": {
        "ko": "이 사이트는 읽기 전용입니다. 슬라이더를 움직이고 채점되는 연습 문제를 풀려면 "
              "저장소를 내려받아 `python3 course.py lab`을 실행하세요. JupyterLab이 열립니다.",
        "en": "This site is for reading. To move the sliders and do the graded exercises, get "
              "the repository and run `python3 course.py lab`, which opens JupyterLab.",
    },
    "chapters": {"ko": "장", "en": "Chapters"},
    "exercises": {"ko": "연습 문제", "en": "Exercises"},
    "exam": {"ko": "기술사 대비", "en": "Exam study"},
    "glossary": {"ko": "용어집", "en": "Glossary"},
    "other_edition": {"ko": "English edition", "en": "한국어판"},
    "playground": {
        "ko": "**플레이그라운드**: 위 그림은 기본 설정에서 멈춘 화면입니다. 이 장의 노트북을 "
              "JupyterLab에서 열면 슬라이더를 움직일 때마다 그림이 다시 그려집니다.",
        "en": "**Playground**: the picture above is its default setting, frozen. Open this "
              "chapter's notebook in JupyterLab and the figure is redrawn as you move the "
              "sliders.",
    },
    "widget": {
        "ko": "**위젯**: 이 셀의 위젯은 JupyterLab에서 노트북을 실행할 때 나타납니다.",
        "en": "**Widget**: this cell's widget appears when the notebook runs in JupyterLab.",
    },
    "download_lesson": {"ko": "노트북 내려받기", "en": "Download the notebook"},
    "exercise_note": {
        "ko": "**읽기 전용 페이지**입니다. 문제를 풀고 확인 셀로 즉시 피드백을 받으려면 노트북을 "
              "내려받아 강좌 저장소의 JupyterLab(`python3 course.py lab`)에서 여세요.",
        "en": "**A read-only page.** To solve the questions and get instant feedback from the "
              "check cells, download the notebook and open it in the course's JupyterLab "
              "(`python3 course.py lab`).",
    },
    "exercises_intro": {
        "ko": "장마다 채점되는 연습 문제 세트가 있습니다. 각 페이지는 학생용 노트북을 그대로 "
              "보여 줍니다(한국어가 먼저, 영어가 그 아래).",
        "en": "Every chapter has a graded set of exercises. Each page shows the student "
              "notebook as it is (Korean first, English beneath).",
    },
    "exam_intro": {
        "ko": "기술사 서술형 시험을 위한 자료입니다. 주제별 한 쪽 정리, 연습 문제와 모범 답안, "
              "한 장 요약이 있습니다.",
        "en": "Material for the written (기술사) exam: one-page topic sheets, practice "
              "questions with model answers, and a one-page summary.",
    },
    "topics": {"ko": "주제별 정리", "en": "Topic sheets"},
    "practice": {"ko": "연습 문제와 모범 답안", "en": "Practice questions and model answers"},
    "summary": {"ko": "한 장 요약", "en": "One-page summary"},
    "summary_intro": {
        "ko": "A4 가로 한 장에 맞춘 인쇄용 요약입니다. 아래에서 바로 보거나, 따로 열어 "
              "인쇄하세요.",
        "en": "A summary laid out for one landscape A4 page. Read it below, or open it on "
              "its own to print it.",
    },
    "open_print": {"ko": "인쇄용으로 열기", "en": "Open for printing"},
    "printable": {"ko": "인쇄용, 한국어와 영어", "en": "for printing, Korean and English"},
    "glossary_intro": {
        "ko": "강좌 전체에서 같은 뜻에는 같은 말을 씁니다. 그림과 위젯의 용어도 이 표에서 "
              "나옵니다(`course_lib.i18n.GLOSSARY`).",
        "en": "The course uses one term for one idea throughout; the labels of figures and "
              "widgets come from this table too (`course_lib.i18n.GLOSSARY`).",
    },
}


def t(key: str, lang: str) -> str:
    return TEXT[key][lang]


# ---------------------------------------------------------------- the bilingual exam pack


def pick(text: str, lang: str) -> str:
    """One side of ``"한국어 / English"`` (also inside brackets); other text unchanged.

    Examples
    --------
    >>> pick("Q01 [10점 / 10 points] 학습률", "en")
    'Q01 [10 points] 학습률'
    >>> pick("경사 하강법 개요 / Gradient descent: overview", "ko")
    '경사 하강법 개요'
    """
    def side(a: str, b: str) -> str | None:
        a_ko, b_ko = bool(HANGUL.search(a)), bool(HANGUL.search(b))
        if a_ko == b_ko:
            return None
        ko, en = (a, b) if a_ko else (b, a)
        return ko.strip() if lang == "ko" else en.strip()

    def in_brackets(match: re.Match) -> str:
        chosen = side(match.group(1), match.group(2))
        return match.group(0) if chosen is None else f"[{chosen}]"

    text = re.sub(r"\[([^\]/]+) / ([^\]]+)\]", in_brackets, text)
    parts = text.split(" / ")
    if len(parts) == 2:
        number = re.match(r"^(\d+\.\s+)", parts[0])
        chosen = side(parts[0], parts[1])
        if chosen is not None:
            prefix = number.group(1) if number and not chosen.startswith(number.group(1)) else ""
            return prefix + chosen
    return text


@dataclass
class _Section:
    level: int
    heading: str
    body: list[str]
    children: list[_Section]


def _parse(lines: list[str], level: int) -> tuple[list[str], list[_Section]]:
    """Split lines into a preamble and sections whose headings have ``level`` '#'s."""
    preamble: list[str] = []
    sections: list[_Section] = []
    fence = False
    current: list[str] | None = None
    heading = ""

    def close() -> None:
        if current is not None:
            body, children = _parse(current, level + 1)
            sections.append(_Section(level, heading, body, children))

    for line in lines:
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        if not fence and line.startswith("#" * level + " "):
            close()
            heading, current = line[level + 1:].strip(), []
            continue
        (preamble if current is None else current).append(line)
    close()
    return preamble, sections


def _language_of(heading: str) -> str | None:
    if heading in ("한국어", "Korean"):
        return "ko"
    if heading in ("English", "영어"):
        return "en"
    if HANGUL.search(heading) and not LATIN.search(heading):
        return "ko"
    if not HANGUL.search(heading):
        return "en"
    return None  # both languages in one heading


def _language_of_text(text: str) -> str | None:
    """"ko" or "en" by which script dominates (a Korean word in English text stays English);
    None for text in neither script (a rule, a formula) or written ``한국어 / English``."""
    hangul, latin = len(HANGUL.findall(text)), len(LATIN.findall(text))
    if not hangul and not latin or hangul and latin and " / " in text:
        return None
    return "ko" if hangul >= 0.3 * latin else "en"


def _paragraphs_in(lines: list[str], lang: str) -> list[str]:
    """Keep the lines written in ``lang`` and those in neither or both languages."""
    return [pick(line, lang) for line in lines if _language_of_text(line) in (lang, None)]


def _render(sections: list[_Section], lang: str, shift: int, bilingual: bool) -> list[str]:
    out: list[str] = []
    langs = {_language_of(s.heading) for s in sections}
    split = "ko" in langs and "en" in langs
    for s in sections:
        which = _language_of(s.heading)
        if split and which not in (lang, None):
            continue
        wrapper = split and s.heading in ("한국어", "Korean", "English", "영어")
        if not wrapper:
            out += ["#" * (s.level - shift) + " " + _heading_in(s.heading, lang)]
        inner = split or bilingual
        body = _paragraphs_in(s.body, lang) if inner and _has_split(s.children) else s.body
        out += body
        out += _render(s.children, lang, shift + (1 if wrapper else 0), False)
    return out


def _heading_in(heading: str, lang: str) -> str:
    """A heading in ``lang``; an English heading loses a Korean-only tail ("Q01 [10 points]")."""
    heading = pick(heading, lang)
    first = HANGUL.search(heading)
    if lang == "en" and first and heading[: first.start()].strip():
        heading = heading[: first.start()].strip()
    return heading


def _has_split(sections: list[_Section]) -> bool:
    langs = {_language_of(s.heading) for s in sections}
    return "ko" in langs and "en" in langs


def split_bilingual(markdown: str, lang: str) -> str:
    """The ``lang`` half of an exam page written in both languages.

    The pack puts the languages side by side in three ways, all handled: ``## 한국어`` and
    ``## English`` sections; sibling sections whose headings are in one language each
    (``### 문제`` … ``### Question``); headings and lines of the form ``한국어 / English``.
    If the result does not read as ``lang`` (no Hangul in Korean, mostly Hangul in English),
    the page is returned whole: a new layout is then shown bilingual, never half-empty.
    """
    lines = markdown.splitlines()
    title = []
    if lines and lines[0].startswith("# "):
        title, lines = ["# " + pick(lines[0][2:].strip(), lang)], lines[1:]
    preamble, sections = _parse(lines, 2)
    body = _paragraphs_in(preamble, lang) if _has_split(sections) or sections else preamble
    out = "\n".join([*title, *body, *_render(sections, lang, 0, True)]).strip() + "\n"
    if not _reads_as(out, lang):
        return markdown
    out = re.sub(r"(\n\s*-{3,}\s*)+$", "\n", out)  # no rule left at the end (the other half)
    return re.sub(r"\n{3,}", "\n\n", out)


def _reads_as(text: str, lang: str) -> bool:
    hangul, latin = len(HANGUL.findall(text)), len(LATIN.findall(text))
    if lang == "ko":
        return hangul > 0
    return hangul < 0.2 * max(latin, 1)


def title_of(markdown: str, lang: str) -> str:
    for line in markdown.splitlines():
        if line.startswith("# "):
            return pick(line[2:].strip(), lang)
    return "?"


# ------------------------------------------------------------------ generated pages


def glossary_page(glossary: dict, lang: str) -> str:
    """The glossary as a table, sorted in the edition's language."""
    rows = sorted(((v[0], v[1]) for v in glossary.values()),
                  key=lambda pair: pair[0] if lang == "ko" else pair[1].casefold())
    head = "| 한국어 | English |" if lang == "ko" else "| English | 한국어 |"
    lines = [f"# {t('glossary', lang)}", "", t("glossary_intro", lang), "", head, "|---|---|"]
    for ko, en in rows:
        lines.append(f"| {ko} | {en} |" if lang == "ko" else f"| {en} | {ko} |")
    return "\n".join(lines) + "\n"


def landing_page(lang: str, chapters: list[tuple[str, str]],
                 exercises: list[tuple[str, str]]) -> str:
    """The edition's home page: what the course is, its chapters, exercises, exam pack."""
    lines = [f"# {t('title', lang)}", "", t("intro", lang), "", t("live", lang), "",
             f"## {t('chapters', lang)}", ""]
    lines += [f"- [{title}](chapters/{slug}.ipynb)" for slug, title in chapters]
    lines += ["", f"## {t('exercises', lang)}", "", t("exercises_intro", lang), ""]
    lines += [f"- [{title}](exercises/{stem}.ipynb)" for stem, title in exercises]
    lines += ["", f"## {t('exam', lang)}", "", t("exam_intro", lang), "",
              f"- [{t('exam', lang)}](exam/index.md)",
              f"- [{t('glossary', lang)}](glossary.md)", ""]
    return "\n".join(lines)


def exam_index_page(lang: str, topics: list[tuple[str, str]], practice: list[tuple[str, str]],
                    has_summary: bool, printables: list[tuple[str, str]] = ()) -> str:
    lines = [f"# {t('exam', lang)}", "", t("exam_intro", lang), "",
             f"## {t('topics', lang)}", ""]
    lines += [f"- [{title}](topics/{stem}.md)" for stem, title in topics]
    lines += [f'- <a href="{html.escape(name)}">{html.escape(title)}</a> '
              f"({t('printable', lang)})" for name, title in printables]
    lines += ["", f"## {t('practice', lang)}", ""]
    lines += [f"- [{title}](practice/{stem}.md)" for stem, title in practice]
    if has_summary:
        lines += ["", f"## {t('summary', lang)}", "", f"- [{t('summary', lang)}](summary.md)"]
    return "\n".join(lines) + "\n"


def summary_page(lang: str, file_name: str) -> str:
    href = html.escape(file_name)
    return "\n".join([
        f"# {t('summary', lang)}", "", t("summary_intro", lang), "",
        f'<p><a class="course-download" href="{href}">{t("open_print", lang)}</a></p>', "",
        f'<iframe class="course-summary" src="{href}" title="{t("summary", lang)}"></iframe>',
        ""])


def download_link(lang: str, href: str, label: str | None = None) -> str:
    label = label or t("download_lesson", lang)
    return (f'<a class="course-download" href="{html.escape(href)}" download>'
            f"{html.escape(label)}</a>")


def playground_note(lang: str, notebook_href: str) -> str:
    return (f'<div class="course-playground-note">\n\n{t("playground", lang)} '
            f"{download_link(lang, notebook_href)}\n\n</div>")


def widget_note(lang: str, notebook_href: str) -> str:
    return (f'<div class="course-playground-note">\n\n{t("widget", lang)} '
            f"{download_link(lang, notebook_href)}\n\n</div>")


def exercise_note(lang: str, notebook_href: str, name: str) -> str:
    return (f'<div class="course-playground-note">\n\n{t("exercise_note", lang)} '
            f"{download_link(lang, notebook_href, name)}\n\n</div>")


def root_page(chapters: dict[str, list[tuple[str, str]]]) -> str:
    """The site's front door: both editions side by side, each with its chapter list."""
    columns = []
    for lang in ("ko", "en"):
        items = "\n".join(
            f'<li><a href="{lang}/chapters/{slug}.html">{html.escape(title)}</a></li>'
            for slug, title in chapters[lang])
        columns.append(
            f'<section lang="{lang}"><h2><a href="{lang}/index.html">'
            f"{html.escape(t('title', lang))} · {LANG_NAMES[lang]}</a></h2>\n"
            f"<p>{html.escape(t('intro', lang).replace('`', ''))}</p>\n<ol>\n{items}\n</ol>"
            "</section>")
    return ROOT_TEMPLATE.replace("{columns}", "\n".join(columns))


ROOT_TEMPLATE = """<!DOCTYPE html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>경사 하강법 · Gradient Descent</title>
<link rel="icon" href="ko/_static/favicon.svg">
<link rel="alternate" hreflang="ko" href="ko/index.html">
<link rel="alternate" hreflang="en" href="en/index.html">
<style>
@font-face { font-family: "Course Gothic"; font-display: swap;
  src: url("assets/fonts/CourseGothic.woff") format("woff");
  unicode-range: U+1100-11FF, U+3130-318F, U+A960-A97F, U+AC00-D7AF, U+D7B0-D7FF; }
body { font-family: -apple-system, "Segoe UI", "Helvetica Neue", Arial, "Apple SD Gothic Neo",
  "Malgun Gothic", "Course Gothic", sans-serif; margin: 0 auto; max-width: 70rem;
  padding: 2rem 1.5rem; line-height: 1.55; color: #222; }
h1 { font-size: 2rem; margin-bottom: 0.2rem; }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr));
  gap: 2rem; }
section[lang="ko"] { word-break: keep-all; }
a { color: #0b5394; }
</style>
</head>
<body>
<h1>경사 하강법 · Gradient Descent</h1>
<p>한국어와 영어로 된 경사 하강법 강좌 · A bilingual course on gradient descent</p>
<div class="columns">
{columns}
</div>
</body>
</html>
"""
