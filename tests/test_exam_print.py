"""The printable edition of the topic sheets (exam/topic_sheets.html) and its generator.

Checked without a browser: the committed file is what ``python exam/build_print.py`` makes
from the current sheets (the embedded font data aside), its fonts can draw every character it
shows, it loads nothing from outside itself, breaks Korean between words only, and holds every
sheet once per language with a contents page whose page numbers match.  The real print (A4
pages, one per sheet) is checked in tests/browser/test_print_edition.py.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAM = ROOT / "exam"
PRINTED = EXAM / "topic_sheets.html"


@pytest.fixture(scope="module")
def build():
    spec = importlib.util.spec_from_file_location("build_print", EXAM / "build_print.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def page() -> str:
    return PRINTED.read_text(encoding="utf-8")


def test_committed_edition_is_up_to_date(build, page):
    fresh = build.render_document(embed_fonts=False)
    assert build.without_font_data(page) == build.without_font_data(fresh), \
        "exam/topic_sheets.html is stale: run python exam/build_print.py"
    assert build.main(["--check"]) == 0


def test_staleness_check_fails_on_a_changed_sheet(build, page):
    sheets = build.read_sheets()
    sheets[3].ko = sheets[3].ko.replace("모멘텀", "모멘텀(변경)", 1)
    changed = build.render_document(sheets, embed_fonts=False)
    assert build.without_font_data(page) != build.without_font_data(changed)


def test_embedded_fonts_draw_every_character(build, page):
    assert build.uncovered_characters(page) == set()
    # planted: a character no embedded subset holds is reported
    assert build.uncovered_characters(page.replace("</body>", "☃ 깍</body>")) == {"☃", "깍"}
    families = set(re.findall(r'@font-face \{ font-family: "([^"]+)"', page))
    assert families == {"Course Gothic", "Course DejaVu", "Course Mono"}


def test_self_contained_and_print_ready(page):
    style = page[page.index("<style>"):page.index("</style>")]
    assert "@page { size: A4" in style
    assert re.search(r":lang\(ko\) \{ word-break: keep-all", style)
    assert "break-after: page" in style
    assert not re.search(r"https?://|<link|<script|<img|<iframe", page, flags=re.I)
    assert all(u.startswith("data:") for u in re.findall(r"url\(([^)]*)\)", style))


def test_every_sheet_once_per_language_with_matching_contents(build, page):
    sheets = build.read_sheets()
    n = len(sheets)
    sections = re.findall(r'<section class="page" lang="(ko|en)"(?: id="([a-z]{2}-\d\d)")?',
                          page)
    assert len(sections) == 1 + 2 * n
    assert [s[1] for s in sections[1:]] == ([f"ko-{s.number}" for s in sheets]
                                            + [f"en-{s.number}" for s in sheets])
    assert all(lang == sid[:2] for lang, sid in sections[1:])
    toc = re.findall(r'<a href="#(ko|en)-(\d\d)">[^<]*</a></td><td class="pg">(\d+)</td>', page)
    for lang, number, page_no in toc:
        index = int(number) + (n if lang == "en" else 0)
        assert int(page_no) == 1 + index, (lang, number, page_no)
    assert len(toc) == 2 * n


def test_sketches_keep_their_columns(build):
    # Hangul takes two monospace columns, every other non-ASCII character one
    html = build.markdown_to_html("```\n 가 → x\n```")
    assert html == ('<pre> <span class="w2">가</span> <span class="w1">→</span> x</pre>')
    assert build.display_width(" 가 → x") == 7          # 1 + 2 + 1 + 1 + 1 + 1
    with pytest.raises(ValueError, match="wider than"):
        build.markdown_to_html("```\n" + "─" * (build.MAX_SKETCH_COLUMNS + 1) + "\n```")


def test_markdown_outside_the_subset_is_an_error_not_a_silent_drop(build):
    with pytest.raises(ValueError, match="unsupported Markdown"):
        build.markdown_to_html("1. a numbered list the converter does not know")
    with pytest.raises(ValueError, match="needs a \\|---\\| line"):
        build.markdown_to_html("| a | b |\n| c | d |")
    table = build.markdown_to_html("| a | **b** |\n|---|---|\n| `c` | d |")
    assert "<th>a</th><th><strong>b</strong></th>" in table and "<td><code>c</code></td>" in table
    nested = build.markdown_to_html("- top\n  - sub\n- next")
    assert nested == "<ul><li>top<ul><li>sub</li></ul></li><li>next</li></ul>"
