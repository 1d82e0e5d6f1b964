"""The printed edition of the topic sheets in a real chromium: one A4 page per sheet.

Opens exam/topic_sheets.html (a file URL, no server), checks that the embedded fonts load and
draw Hangul, that every sheet's content fits the 277 mm of an A4 page inside the print
margins, that no sketch is wider than its box, and prints to PDF: the PDF must have exactly
1 + 2 × (number of sheets) pages, so the page numbers of the contents are right.  The PDF and
two page screenshots go to ``test-artifacts/print/``.

Skipped when ``/usr/bin/chromium`` is missing, unless ``CI=true`` (then it fails).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from chromium import CHROMIUM, CHROMIUM_ARGS, require_chromium

ROOT = Path(__file__).resolve().parents[2]
PRINTED = ROOT / "exam" / "topic_sheets.html"
ARTIFACTS = ROOT / "test-artifacts" / "print"
PAGE_CONTENT_MM = 297 - 10 - 9     # A4 height minus the @page margins of build_print.CSS

pytestmark = pytest.mark.browser

MEASURE = """() => [...document.querySelectorAll('section.page')].map(s => {
    const kids = [...s.children];
    const top = kids[0].getBoundingClientRect().top;
    const bottom = Math.max(...kids.map(k => k.getBoundingClientRect().bottom));
    const wide = [...s.querySelectorAll('pre')].filter(p => p.scrollWidth > p.clientWidth + 1);
    return {id: s.id || 'cover', mm: (bottom - top) / 96 * 25.4, overflowing: wide.length};
})"""


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _pdf_pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


def test_each_sheet_prints_on_one_a4_page(browser):
    n_sheets = len(list((ROOT / "exam" / "topics").glob("[0-9][0-9]_*.md")))
    pdf = ARTIFACTS / "topic_sheets.pdf"
    page = browser.new_page(viewport={"width": 900, "height": 1200})
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(PRINTED.as_uri())
    page.wait_for_function("document.fonts.status === 'loaded'")
    assert page.evaluate("document.fonts.check('12px \"Course Gothic\"', '경사 하강법')")
    assert page.evaluate("document.fonts.check('12px \"Course DejaVu\"', '∇θ←√')")
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    pages = page.evaluate(MEASURE)
    assert len(pages) == 1 + 2 * n_sheets
    too_tall = [(q["id"], round(q["mm"])) for q in pages if q["mm"] > PAGE_CONTENT_MM]
    assert not too_tall, f"longer than one page: {too_tall}"
    assert [q["id"] for q in pages if q["overflowing"]] == []
    page.locator("#ko-11").screenshot(path=str(ARTIFACTS / "ko-11.png"))
    page.locator("#en-14").screenshot(path=str(ARTIFACTS / "en-14.png"))
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    page.close()
    assert _pdf_pages(pdf) == 1 + 2 * n_sheets, f"{_pdf_pages(pdf)} PDF pages, {n_sheets} sheets"


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_one_page_summary_prints_on_one_a4_landscape_page(browser, lang):
    pdf = ARTIFACTS / f"summary_{lang}.pdf"
    page = browser.new_page()
    page.goto((ROOT / "exam" / f"summary_{lang}.html").as_uri())
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    page.close()
    assert _pdf_pages(pdf) == 1
