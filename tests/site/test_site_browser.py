"""A reader's view of the website: every page in a real chromium, served from 127.0.0.1.

For each page: no failed request, no request outside the site, no console error (and no
font the browser refused), every image decoded with its alt text, the page's language
(``<html lang>``, Korean text on Korean pages), and a language switch that leads to the same
page of the other edition, the same chapter for a chapter.  A second browser that sees no
Korean system font shows that the shipped web font renders Korean on its own.  Screenshots
go to ``test-artifacts/site/``.

Skipped when ``/usr/bin/chromium`` is missing, unless ``CI=true`` (then it fails).
"""

from __future__ import annotations

import functools
import os
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import site_font
from chromium import CHROMIUM, CHROMIUM_ARGS, require_chromium

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "site"
SCREENSHOTS = {
    "index.html": "root.png",
    "ko/index.html": "ko_home.png",
    "ko/chapters/04_learning_rate_schedules.html": "ko_chapter04.png",
    "en/chapters/01_intuition.html": "en_chapter01.png",
    "ko/exam/topics/06_adam_adamw.html": "ko_exam_adam.png",
    "en/glossary.html": "en_glossary.png",
    "ko/exercises/ex05_momentum.html": "ko_exercise05.png",
}
# Runs on every page once MathJax has typeset it and its fonts are in.
PAGE_STATE = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  document.querySelectorAll('img[loading="lazy"]').forEach(i => { i.loading = 'eager'; });
  const images = Array.from(document.images);
  await Promise.all(images.map(i => i.decode().catch(() => null)));
  await document.fonts.ready;
  const h1 = document.querySelector('h1');
  const sw = document.querySelector('.course-lang-switch');
  return {
    lang: document.documentElement.lang,
    title: h1 ? h1.innerText : '',
    hangul: (document.body.innerText.match(/[\\uac00-\\ud7a3]/g) || []).length,
    images: images.map(i => ({src: i.currentSrc, width: i.naturalWidth, alt: i.alt})),
    switch: sw ? sw.href : null,
    mathErrors: document.querySelectorAll('mjx-merror, .MathJax_Error').length,
  };
}"""

pytestmark = [pytest.mark.browser, pytest.mark.slow]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # no line per request in the test output
        pass


@pytest.fixture(scope="module")
def served(site):
    """The built site on a free port of 127.0.0.1, for the module's tests."""
    out, report = site
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=out))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield out, f"http://127.0.0.1:{server.server_address[1]}/", report
    finally:
        server.shutdown()
        server.server_close()


def _launch(p, env=None):
    return p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
                             env=env)


def _visit_all(page, base: str, paths: list[str]) -> tuple[dict, list[str]]:
    """Open every page; returns each page's state and the problems seen on the way."""
    problems: list[str] = []
    current = {"path": ""}
    page.on("request", lambda r: r.url.startswith(base) or r.url.startswith("data:")
            or problems.append(f"{current['path']}: request outside the site: {r.url}"))
    page.on("requestfailed", lambda r: (r.failure != "net::ERR_ABORTED" or "favicon" not in r.url)
            and problems.append(f"{current['path']}: failed request {r.url} ({r.failure})"))
    page.on("response", lambda r: r.status >= 400 and problems.append(
        f"{current['path']}: HTTP {r.status} for {r.url}"))
    page.on("console", lambda m: (m.type == "error" or "font" in m.text.lower())
            and problems.append(f"{current['path']}: console {m.type}: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"{current['path']}: page error: {e}"))
    states = {}
    for path in paths:
        current["path"] = path
        started = time.monotonic()
        page.goto(base + path, wait_until="load")
        states[path] = page.evaluate(PAGE_STATE)
        states[path]["seconds"] = time.monotonic() - started
        if path in SCREENSHOTS:
            page.screenshot(path=str(ARTIFACTS / SCREENSHOTS[path]))
    return states, problems


def _page_problems(path: str, state: dict, base: str, paths: set[str],
                   printable: bool = False) -> list[str]:
    problems = []
    lang = "ko" if path.startswith("ko/") or path == "index.html" else "en"
    if printable:  # bilingual print documents: Korean first, whatever the edition
        lang = state["lang"] if state["lang"] in ("ko", "en") else lang
    if state["lang"] != lang:
        problems.append(f"{path}: <html lang={state['lang']!r}>, expected {lang!r}")
    if lang == "ko" and state["hangul"] < 20:
        problems.append(f"{path}: only {state['hangul']} Hangul characters on a Korean page")
    for image in state["images"]:
        if image["width"] == 0:
            problems.append(f"{path}: image not decoded: {image['src']}")
        if not image["alt"].strip():
            problems.append(f"{path}: image without alt text: {image['src']}")
    if state["mathErrors"]:
        problems.append(f"{path}: {state['mathErrors']} formulas MathJax could not typeset")
    if path != "index.html" and not printable:
        other = "en" if lang == "ko" else "ko"
        expected = base + other + path[2:]
        if state["switch"] != expected:
            problems.append(f"{path}: language switch goes to {state['switch']}, "
                            f"expected {expected}")
        elif other + path[2:] not in paths:
            problems.append(f"{path}: language switch target is not a page of the site")
    return problems


def test_every_page_loads_cleanly_in_chromium(served):
    require_chromium()
    from playwright.sync_api import sync_playwright

    out, base, report = served
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # Every page; the exam pack's printable documents (copied as they are, without the
    # site's frame) are checked for requests, errors and images only.
    paths = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html")
                   if "_static" not in p.parts)
    printables = set(report["printables"])
    started = time.monotonic()
    with sync_playwright() as p:
        browser = _launch(p)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            states, problems = _visit_all(page, base, paths)
        finally:
            browser.close()
    seconds = time.monotonic() - started
    for path, state in states.items():
        problems += _page_problems(path, state, base, set(paths), path in printables)
    # Same chapter on both sides of the switch: "04. ..." in Korean is "04. ..." in English.
    for path, state in states.items():
        if "/chapters/" in path and path.startswith("ko/"):
            english = states["en" + path[2:]]["title"]
            assert state["title"].split(".")[0] == english.split(".")[0], (path, english)
    images = sum(len(s["images"]) for s in states.values())
    slowest = sorted(states, key=lambda p: -states[p]["seconds"])[:5]
    (ARTIFACTS / "browser.txt").write_text(
        f"{len(states)} pages, {images} images in {seconds:.1f} s; slowest: "
        + ", ".join(f"{p} {states[p]['seconds']:.2f} s" for p in slowest) + "\n",
        encoding="utf-8")
    assert len(states) >= 80 and images >= 70
    assert problems == [], "\n".join(problems[:40])


def test_korean_renders_without_any_korean_font_on_the_readers_machine(served, tmp_path):
    """A chromium whose fontconfig knows DejaVu only: Hangul must come from the site."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    out, base, _ = served
    dejavu = Path("/usr/share/fonts/truetype/dejavu")
    if not dejavu.is_dir():
        pytest.skip("no DejaVu fonts to stand in for a machine without Korean fonts")
    (tmp_path / "fonts.conf").write_text(
        f'<?xml version="1.0"?><fontconfig><dir>{dejavu}</dir>'
        f"<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>", encoding="utf-8")
    env = {**os.environ, "FONTCONFIG_FILE": str(tmp_path / "fonts.conf")}
    with sync_playwright() as p:
        browser = _launch(p, env)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            fonts = []
            page.on("response", lambda r: site_font.FILE_NAME in r.url and fonts.append(r.status))
            page.goto(base + "ko/chapters/05_momentum_nesterov.html", wait_until="load")
            page.evaluate("document.fonts.ready")
            # "loaded": fetched and accepted by the browser's font sanitiser ("error" if not).
            status = page.evaluate(
                "Array.from(document.fonts).filter(f => f.family.replaceAll('\"', '') === "
                f"'{site_font.FAMILY}').map(f => f.status)")
            page.screenshot(path=str(ARTIFACTS / "ko_chapter05_no_system_korean_font.png"))
        finally:
            browser.close()
    assert fonts == [200], "the web font was not fetched (or not only once)"
    assert status == ["loaded"], status
