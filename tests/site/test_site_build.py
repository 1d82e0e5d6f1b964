"""The site builder's parts, and the built site as files (the browser test opens it)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import build_site
import pytest
import site_font
import site_pages

from course_lib.i18n import GLOSSARY

ROOT = Path(__file__).resolve().parents[2]
HANGUL = re.compile(r"[\uac00-\ud7a3]")

BILINGUAL = """# 99. 시험 주제 / Test topic

## 한국어

### Ⅰ. 개요
- 정의: 한국어 문장이다.
- θₜ₊₁ = θₜ − η·∇J(θₜ)

---

## English

### I. Overview
- Definition: an English sentence about the 기술사 exam.
- θₜ₊₁ = θₜ − η·∇J(θₜ)
"""

PAIRED = """# 연습 문제 / Practice

한 줄 소개.
One-line introduction.

## Q01 [10점 / 10 points] 학습률

### 문제
학습률을 설명하시오.

### Question
Explain the learning rate.
"""


@pytest.mark.parametrize("lang, kept, dropped", [
    ("ko", ["# 99. 시험 주제", "## Ⅰ. 개요", "한국어 문장", "θₜ₊₁"], ["English", "---"]),
    ("en", ["# 99. Test topic", "## I. Overview", "기술사 exam", "θₜ₊₁"], ["한국어 문장", "---"]),
])
def test_exam_sheet_is_split_into_its_language(lang, kept, dropped):
    page = site_pages.split_bilingual(BILINGUAL, lang)
    for text in kept:
        assert text in page
    for text in dropped:
        assert text not in page


def test_paired_sections_and_bilingual_headings_are_split():
    ko, en = (site_pages.split_bilingual(PAIRED, lang) for lang in ("ko", "en"))
    assert "## Q01 [10점] 학습률" in ko and "### 문제" in ko and "Question" not in ko
    assert "One-line" not in ko and "한 줄 소개" in ko
    assert "## Q01 [10 points]\n" in en and "### Question" in en and "문제" not in en


def test_a_page_that_does_not_split_is_shown_whole():
    korean_only = "# 제목\n\n한국어만 있는 페이지입니다.\n"
    assert site_pages.split_bilingual(korean_only, "en") == korean_only


def test_glossary_page_lists_every_term_sorted_in_its_language():
    for lang in ("ko", "en"):
        page = site_pages.glossary_page(GLOSSARY, lang)
        rows = [line for line in page.splitlines() if line.startswith("| ") and "---" not in line]
        assert len(rows) == len(GLOSSARY) + 1  # header + one row per term
        first = [row.split("|")[1].strip() for row in rows[1:]]
        key = (lambda s: s) if lang == "ko" else str.casefold
        assert first == sorted(first, key=key)
    assert "| 기울기 | gradient |" in site_pages.glossary_page(GLOSSARY, "ko")


def test_links_between_course_files_point_to_the_books_pages():
    md = ("[ex](../../exercises/ex01_intuition.ipynb) [next](02_update_rule.ipynb) "
          "[pack](../../exam/README.md) [sheet](../../exam/practice/short_10pt.md#q01) "
          "[code](../../course_lib/plotting.py) [web](https://example.org/x.ipynb)")
    out = build_site.relink(md, "notebooks/ko", "ko")
    assert "[ex](../exercises/ex01_intuition.ipynb)" in out
    assert "[next](02_update_rule.ipynb)" in out
    assert "[pack](../exam/index.md)" in out
    assert "[sheet](../exam/practice/short_10pt.md#q01)" in out
    assert "code" in out and "plotting.py" not in out  # not on the site: plain text
    assert "[web](https://example.org/x.ipynb)" in out


def _png_output(alt: str, png: bytes = b"\x89PNG fake") -> dict:
    data = base64.b64encode(png).decode()
    return {"output_type": "display_data",
            "data": {"image/png": data, "text/html": f'<img alt="{alt}" src="data:">',
                     "text/plain": "<Figure>"},
            "metadata": {"image/png": {"alt": alt, "min_font_pt": 10}}}


def test_a_lesson_for_the_web():
    playground = _png_output("플레이그라운드 그림")
    playground["output_type"] = "execute_result"
    playground["data"][build_site.WIDGET_VIEW] = {"model_id": "abc"}
    nb = {"metadata": {"widgets": {"state": {}}}, "cells": [
        {"cell_type": "code", "id": "a", "metadata": {}, "execution_count": 1,
         "source": "# alt: 선이 내려감\nplot()",
         "outputs": [_png_output("선이 내려감"),
                     {"output_type": "execute_result", "execution_count": 1, "metadata": {},
                      "data": {"text/plain": "<Axes: title={'center': 'x'}>"}}]},
        {"cell_type": "code", "id": "b", "metadata": {}, "execution_count": 2,
         "source": "# alt: 플레이그라운드 그림\nwidgets.lr_1d_playground()",
         "outputs": [playground]},
    ]}
    alts: dict[str, str] = {}
    web = build_site.web_lesson(nb, "ko", "01_intuition", alts)
    first, second, note = web["cells"]
    assert first["source"] == "plot()"  # the alt line is in <img alt>, not in the code
    assert [list(o["data"]) for o in first["outputs"]] == [["image/png"]]  # no <Axes ...>
    assert list(second["outputs"][0]["data"]) == ["image/png"]  # the picture, no dead widget
    assert "플레이그라운드" in note["source"]
    assert "../notebooks/01_intuition.ipynb" in note["source"]
    assert "widgets" not in web["metadata"]
    digest = hashlib.sha256(b"\x89PNG fake").hexdigest()
    assert alts == {digest: "플레이그라운드 그림"}  # same picture: the last description


def test_site_checks_catch_missing_alt_and_outside_requests(tmp_path):
    (tmp_path / "a.html").write_text(
        '<img src="x.png" alt="a line"><img src="y.png">'
        '<script src="https://cdn.example.org/x.js"></script>'
        '<link rel="stylesheet" href="//fonts.example.org/f.css">'
        '<a href="https://example.org/paper">a paper is a link, not a request</a>',
        encoding="utf-8")
    (tmp_path / "s.css").write_text('@font-face { src: url("https://x.org/f.woff"); }',
                                    encoding="utf-8")
    problems = build_site.site_problems(tmp_path)
    assert len(problems) == 4, problems
    assert any("image without alt" in p and "y.png" in p for p in problems)
    assert not any("paper" in p for p in problems)


def test_common_syllables_are_ks_x_1001():
    syllables = site_font.common_syllables()
    assert len(syllables) == 2350
    assert {"가", "힝", "학", "습", "률"} <= syllables and "똠" not in syllables


# --------------------------------------------------------------------- the built site


@pytest.mark.slow
def test_site_has_every_page_of_both_editions(site):
    out, report = site
    for lang in ("ko", "en"):
        for slug in build_site.lesson_slugs():
            assert (out / lang / "chapters" / f"{slug}.html").is_file()
            assert (out / lang / "notebooks" / f"{slug}.ipynb").is_file()
        for path in (ROOT / "exercises").glob("ex*.ipynb"):
            assert (out / lang / "exercises" / f"{path.stem}.html").is_file()
            assert (out / lang / "notebooks" / "exercises" / path.name).is_file()
        for folder in ("topics", "practice"):
            for path in (ROOT / "exam" / folder).glob("*.md"):
                assert (out / lang / "exam" / folder / f"{path.stem}.html").is_file()
        assert (out / lang / "glossary.html").is_file()
        assert (out / lang / "index.html").is_file()
    assert (out / "index.html").is_file()
    assert build_site.site_problems(out) == []


@pytest.mark.slow
def test_every_lesson_figure_reaches_the_site_with_its_alt_text(site):
    out, _ = site
    for lang in ("ko", "en"):
        for slug in build_site.lesson_slugs():
            page = (out / lang / "chapters" / f"{slug}.html").read_text(encoding="utf-8")
            nb = json.loads((ROOT / "_build" / "site-src" / lang / "chapters"
                             / f"{slug}.ipynb").read_text(encoding="utf-8"))
            figures = sum("image/png" in o.get("data", {}) for c in nb["cells"]
                          if c["cell_type"] == "code" for o in c["outputs"])
            alts = re.findall(r'<img [^>]*alt="([^"]+)"[^>]*src="[^"]*_images/', page)
            alts += re.findall(r'<img [^>]*src="[^"]*_images/[^>]*alt="([^"]+)"', page)
            assert len(alts) == figures, (lang, slug)
            assert all(bool(HANGUL.search(a)) == (lang == "ko") for a in alts), (lang, slug)


@pytest.mark.slow
def test_the_web_font_is_the_figures_font_renamed_with_its_licence(site):
    from fontTools.ttLib import TTFont

    from course_lib.style import korean_font_files

    out, _ = site
    fonts = out / "assets" / "fonts"
    web = TTFont(str(fonts / site_font.FILE_NAME))
    original = TTFont(str(next(p for p in korean_font_files() if p.name == "NanumGothic.ttf")))
    cmap = web.getBestCmap()
    used = site_font.hangul_in(out)
    assert used and all(ord(c) in cmap for c in used)  # every Hangul of the site
    # The same outlines as the figures' font (same glyph, same points).
    for char in "경사하강법":
        ours, theirs = (f["glyf"][f.getBestCmap()[ord(char)]] for f in (web, original))
        assert ours.getCoordinates(web["glyf"])[0] == theirs.getCoordinates(original["glyf"])[0]
    names = " ".join(r.toUnicode() for r in web["name"].names if r.nameID in (1, 3, 4, 6, 16))
    assert "Nanum" not in names and "나눔" not in names  # Reserved Font Name (OFL 1.1 §3)
    assert not any(tag.startswith("TSI") for tag in web.keys())  # what browsers reject
    licence = (fonts / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE" in licence and "NAVER Corporation" in licence
    assert (out / "assets" / "mathjax" / "LICENSE").is_file()
