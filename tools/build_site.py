"""Build the course website: every chapter in both editions, the exercises, the exam pack.

    python3 course.py site                 # the usual way (sets up .venv first)
    python tools/build_site.py [--out DIR]

Output: ``_build/site/`` (git-ignored), a folder of static files that makes no request
outside itself: serve it with ``python -m http.server -d _build/site`` or put it on any
static host (GitHub Pages included).  ``index.html`` offers both editions; ``ko/`` and
``en/`` are one Jupyter Book each, with the same page names, so that the language switch on
every page (``tools/site/course_site.py``) leads to the same chapter.

How it is made
--------------
1. Lessons with their outputs: the copy the test run saved (``tools/executed_notebooks.py``)
   when its stamp matches the notebook and ``course_lib`` as they are now, else executed
   here with nbclient (and saved for the next build).  For the web: a playground shows its
   static picture and a note that it is live in JupyterLab (widget views are dropped: without
   a kernel a slider could move but never redraw), ``# alt:`` lines leave the code (they are
   in the ``<img alt>``), matplotlib object reprs (``<Axes: ...>``) are left out.
2. Generated pages (``tools/site_pages.py``): landing pages, exam pack split by language,
   exercises as read-only pages with a download link, the glossary from course_lib.i18n.
3. Jupyter Book 1.x (Sphinx + myst-nb, which builds offline; 2.x fetches its theme from the
   web at build time) builds each edition with notebook execution off.
4. Assets in ``assets/``: the figures' NanumGothic as a web font (renamed Course Gothic, see
   ``tools/site_font.py``) with its SIL OFL licence, MathJax 3 from npm (pinned, checked,
   cached in ``_build/cache``) with its Apache-2.0 licence.
5. Checks (the build fails on a problem): every ``<img>`` has alt text; no page, style or
   script loads anything from outside the folder.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import executed_notebooks
import site_font
import site_pages
from site_pages import t

ROOT = Path(__file__).resolve().parents[1]
SITE_TOOLS = ROOT / "tools" / "site"
LANGS = ("ko", "en")
OUT = ROOT / "_build" / "site"
WORK = ROOT / "_build" / "site-src"
CACHE = ROOT / "_build" / "cache"

MATHJAX = "mathjax@3.2.2"
MATHJAX_INTEGRITY = ("sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/"
                     "FEsPsjKPZGJvtRZM1vO+geW0OhGw==")
MATHJAX_FILES = ("package/LICENSE", "package/es5/tex-chtml-full.js",
                 "package/es5/output/chtml/fonts/woff-v2/")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
MPL_REPR = re.compile(r"^\[?(<(Axes|Figure|matplotlib\.)|Text\()")
ALT_PREFIX = "# alt:"


# ------------------------------------------------------------------------------- lessons


def lesson_slugs() -> list[str]:
    return sorted(p.stem for p in (ROOT / "notebooks" / "_source").glob("*.txt"))


def executed(lang: str, slug: str) -> tuple[dict, str]:
    """The lesson with its outputs, and who ran it: "nbval" (the test run), "build_site"
    (an earlier build) or "executed now"."""
    path = ROOT / "notebooks" / lang / f"{slug}.ipynb"
    nb = executed_notebooks.load_fresh(path)
    if nb is not None:
        return nb, nb["metadata"]["course"]["executed"]["by"]
    import nbformat
    from nbclient import NotebookClient

    node = nbformat.read(path, as_version=4)
    NotebookClient(node, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nb = json.loads(nbformat.writes(node))
    executed_notebooks.save_executed(path, nb, executed_by="build_site")
    return nb, "executed now"


def web_lesson(nb: dict, lang: str, slug: str, alts: dict[str, str]) -> dict:
    """The executed lesson as the site shows it (see the module docstring, step 1)."""
    cells = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            cell = {**cell, "source": relink("".join(cell["source"]), f"notebooks/{lang}", lang)}
            cells.append(cell)
            continue
        if cell["cell_type"] != "code":
            cells.append(cell)
            continue
        source = "".join(cell["source"])
        code = "\n".join(line for line in source.splitlines() if not line.startswith(ALT_PREFIX))
        outputs, note = [], None
        for output in cell.get("outputs", []):
            output, kind = _web_output(output, alts)
            if output is not None:
                outputs.append(output)
            note = note or kind
        cells.append({**cell, "source": code, "outputs": outputs})
        if note:
            href = f"../notebooks/{slug}.ipynb"
            text = (site_pages.playground_note(lang, href) if note == "playground"
                    else site_pages.widget_note(lang, href))
            cells.append({"cell_type": "markdown", "id": f"{cell['id']}-note", "metadata": {},
                          "source": text})
    metadata = {k: v for k, v in nb["metadata"].items() if k != "widgets"}
    return {**nb, "cells": cells, "metadata": metadata}


def _web_output(output: dict, alts: dict[str, str]) -> tuple[dict | None, str | None]:
    """One output for the web, and "playground" / "widget" when a note must follow it."""
    data = output.get("data")
    if data is None:
        return output, None
    if output.get("output_type") == "execute_result" and set(data) == {"text/plain"}:
        if MPL_REPR.match("".join(data["text/plain"])):
            return None, None
    kind = None
    if WIDGET_VIEW in data:
        kind = "playground" if "image/png" in data else "widget"
        if kind == "widget":
            return None, kind
    png = data.get("image/png")
    if png:
        alt = output.get("metadata", {}).get("image/png", {}).get("alt")
        if alt:
            alts[hashlib.sha256(base64.b64decode("".join(png))).hexdigest()] = alt
        data = {k: v for k, v in data.items() if k in ("image/png", "text/plain")}
        data.pop("text/plain", None)
    elif kind:
        data = {k: v for k, v in data.items() if k != WIDGET_VIEW}
    return {**output, "data": data}, kind


# Where a repository path lives in an edition's book (relative to the book's root).
def _book_path(repo_path: str, lang: str) -> str | None:
    match = re.fullmatch(r"notebooks/(ko|en)/([^/]+\.ipynb)", repo_path)
    if match:
        return f"chapters/{match.group(2)}"
    if re.fullmatch(r"exercises/[^/]+\.ipynb", repo_path):
        return repo_path
    if re.fullmatch(r"exam/(topics|practice)/[^/]+\.md", repo_path):
        return repo_path
    if repo_path == "exam/README.md":
        return "exam/index.md"
    if re.fullmatch(r"exam/summary_(ko|en)\.html", repo_path):
        return "exam/summary.md"
    if re.fullmatch(r"exam/[^/]+\.html", repo_path):
        return repo_path  # a printable document, copied as it is
    return None


def relink(markdown: str, repo_dir: str, lang: str) -> str:
    """Rewrite links between course files (``../../exercises/ex01.ipynb``) to the book's pages;
    web links and anchors stay; a link to a file outside the site becomes plain text."""
    book_dir = _book_path(f"{repo_dir}/x.ipynb", lang) or _book_path(f"{repo_dir}/x.md", lang)
    here = Path(book_dir).parent if book_dir else Path(".")

    def fix(match: re.Match) -> str:
        text, target = match.group(1), match.group(2)
        if re.match(r"^[a-z]+:|^#", target):
            return match.group(0)
        path, _, anchor = target.partition("#")
        repo_path = os.path.normpath(f"{repo_dir}/{path}").replace(os.sep, "/")
        book = _book_path(repo_path, lang)
        if book is None:
            return text  # e.g. a source file: not part of the site
        rel = os.path.relpath(book, here).replace(os.sep, "/")
        return f"[{text}]({rel}{'#' + anchor if anchor else ''})"

    return re.sub(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)\)", fix, markdown)


# ------------------------------------------------------------------------- other pages


def exercise_page(path: Path, lang: str) -> tuple[dict, str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    title = next((line.lstrip("#").strip() for c in nb["cells"] if c["cell_type"] == "markdown"
                  for line in "".join(c["source"]).splitlines() if line.startswith("# ")),
                 path.stem)
    note = {"cell_type": "markdown", "id": "site-note", "metadata": {},
            "source": site_pages.exercise_note(lang, f"../notebooks/exercises/{path.name}",
                                               path.name)}
    cells = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            cell = {**cell, "source": relink("".join(cell["source"]), "exercises", lang)}
        cells.append(cell)
        if len(cells) == 1:
            cells.append(note)  # under the title
    return {**nb, "cells": cells}, title


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def stage_edition(lang: str, lessons: dict[str, dict], src: Path) -> dict:
    """Write one edition's Jupyter Book source; returns its table of contents."""
    if src.exists():
        shutil.rmtree(src)
    alts: dict[str, str] = {}
    chapters = []
    for slug, nb in lessons.items():
        page = web_lesson(nb, lang, slug, alts)
        write(src / "chapters" / f"{slug}.ipynb", json.dumps(page, ensure_ascii=False))
        chapters.append((slug, _first_heading(page)))
        downloads = src / "_extra" / "notebooks"
        downloads.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "notebooks" / lang / f"{slug}.ipynb", downloads / f"{slug}.ipynb")
    exercises = []
    for path in sorted((ROOT / "exercises").glob("ex*.ipynb")):
        page, title = exercise_page(path, lang)
        write(src / "exercises" / path.name, json.dumps(page, ensure_ascii=False))
        (src / "_extra" / "notebooks" / "exercises").mkdir(parents=True, exist_ok=True)
        shutil.copy(path, src / "_extra" / "notebooks" / "exercises" / path.name)
        exercises.append((path.stem, title))
    topics, practice, summary = _stage_exam(lang, src)
    write(src / "index.md", site_pages.landing_page(lang, chapters, exercises))
    from course_lib.i18n import GLOSSARY

    write(src / "glossary.md", site_pages.glossary_page(GLOSSARY, lang))
    write(src / "exercises" / "index.md", f"---\norphan: true\n---\n# {t('exercises', lang)}\n\n"
          f"{t('exercises_intro', lang)}\n\n"
          + "".join(f"- [{title}]({stem}.ipynb)\n" for stem, title in exercises))
    printables = [(p.name, _html_title(p)) for p in sorted((src / "_extra" / "exam").glob("*.html"))
                  if not p.name.startswith("summary_")]
    write(src / "exam" / "index.md", "---\norphan: true\n---\n"
          + site_pages.exam_index_page(lang, topics, practice, summary is not None, printables))
    (src / "_alt.json").write_text(json.dumps(alts, ensure_ascii=False), encoding="utf-8")
    return {"chapters": chapters, "exercises": exercises, "topics": topics,
            "practice": practice, "summary": summary,
            "printables": [f"{lang}/exam/{name}" for name, _ in printables]
            + ([f"{lang}/exam/{summary}"] if summary else [])}


def _html_title(path: Path) -> str:
    match = re.search(r"<title>(.*?)</title>", path.read_text(encoding="utf-8"), re.S)
    return html.unescape(match.group(1).strip()) if match else path.stem


def _stage_exam(lang: str, src: Path):
    exam = ROOT / "exam"
    topics, practice = [], []
    for folder, items in (("topics", topics), ("practice", practice)):
        for path in sorted((exam / folder).glob("*.md")):
            text = site_pages.split_bilingual(path.read_text(encoding="utf-8"), lang)
            write(src / "exam" / folder / path.name, relink(text, f"exam/{folder}", lang))
            items.append((path.stem, site_pages.title_of(text, lang)))
    extra = src / "_extra" / "exam"
    extra.mkdir(parents=True, exist_ok=True)
    # The pack's printable documents other than the summaries (the topic sheets in print),
    # as they are: they carry their own fonts.  Linked from the exam pack's overview.
    for printable in sorted(exam.glob("*.html")):
        if not re.fullmatch(r"summary_(ko|en)\.html", printable.name):
            shutil.copy(printable, extra / printable.name)
    summary = exam / f"summary_{lang}.html"
    if not summary.exists():
        return topics, practice, None
    page = summary.read_text(encoding="utf-8")
    font = (f'<style>@font-face {{ font-family: "{site_font.FAMILY}"; '
            f'src: url("../../assets/fonts/{site_font.FILE_NAME}") format("woff"); }}\n'
            'body { font-family: "Noto Sans KR", "NanumGothic", "Malgun Gothic", '
            f'"Apple SD Gothic Neo", "{site_font.FAMILY}", sans-serif; }}</style>')
    (extra / summary.name).write_text(page.replace("</head>", font + "</head>", 1),
                                      encoding="utf-8")
    write(src / "exam" / "summary.md", site_pages.summary_page(lang, summary.name))
    return topics, practice, summary.name


def _first_heading(nb: dict) -> str:
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return "?"


def book_config(lang: str, src: Path) -> None:
    other = "en" if lang == "ko" else "ko"
    exercises = sorted((ROOT / "exercises").glob("ex*.ipynb"))
    exam = [f"exam/{folder}/{p.stem}" for folder in ("topics", "practice")
            for p in sorted((ROOT / "exam" / folder).glob("*.md"))]
    if (src / "exam" / "summary.md").exists():
        exam.append("exam/summary")
    parts = [(t("chapters", lang), [f"chapters/{s}" for s in lesson_slugs()] + ["glossary"]),
             (t("exercises", lang), [f"exercises/{p.stem}" for p in exercises]),
             (t("exam", lang), exam)]
    toc = ["format: jb-book", "root: index", "parts:"]
    for caption, files in parts:
        toc += [f"  - caption: {json.dumps(caption, ensure_ascii=False)}", "    chapters:"]
        toc += [f"      - file: {name}" for name in files]
    write(src / "_toc.yml", "\n".join(toc) + "\n")
    config = {
        "title": t("title", lang),
        "author": "",
        "copyright": "",
        "only_build_toc_files": False,  # the exercise and exam overviews are linked, not listed
        "exclude_patterns": ["_build", "_extra", "**.ipynb_checkpoints"],
        "execute": {"execute_notebooks": "off"},
        "parse": {"myst_enable_extensions": ["colon_fence", "dollarmath", "amsmath"]},
        "html": {"use_repository_button": False, "use_edit_page_button": False,
                 "use_issues_button": False, "home_page_in_navbar": True,
                 "use_multitoc_numbering": False},
        "launch_buttons": {"binderhub_url": "", "colab_url": "", "thebe": False},
        "repository": {"url": ""},
        "sphinx": {
            "local_extensions": {"course_site": str(SITE_TOOLS)},
            "config": {
                "language": lang,
                "course_lang": lang,
                "course_other_lang": other,
                "course_alt_file": str(src / "_alt.json"),
                "templates_path": [str(SITE_TOOLS / "_templates")],
                "html_static_path": [str(SITE_TOOLS / "static")],
                "html_css_files": ["course.css"],
                "html_extra_path": [str(src / "_extra")],
                "html_theme_options": {
                    "article_header_end": ["course-lang-switch.html",
                                           "article-header-buttons.html"],
                    "search_bar_text": "검색" if lang == "ko" else "Search",
                    "use_download_button": True, "use_fullscreen_button": False,
                },
                "html_context": {"default_mode": "light"},  # else "invalid theme mode" errors
                # Jupyter Book's extensions less thebe (live code from a CDN, and its config
                # script is added twice: a page error) and intersphinx (fetches inventories).
                "extensions": ["sphinx_togglebutton", "sphinx_copybutton", "myst_nb",
                               "jupyter_book", "sphinx_comments", "sphinx_external_toc",
                               "sphinx_design", "sphinx_book_theme", "course_site"],
                "html_favicon": str(SITE_TOOLS / "static" / "favicon.svg"),
                "mathjax_path": "../../assets/mathjax/tex-chtml-full.js",
                "nb_ipywidgets_js": {},
                "html_show_sourcelink": False,
                "html_last_updated_fmt": None,
                "suppress_warnings": ["myst.header", "mystnb.unknown_mime_type"],
            },
        },
    }
    write(src / "_config.yml", json.dumps(config, ensure_ascii=False, indent=1))


def jupyter_book(src: Path, out: Path) -> None:
    """Build one edition with Jupyter Book into ``out``."""
    build = src / "_jb"
    cmd = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(src),
           "--path-output", str(build), "--builder", "html", "-q"]
    subprocess.run(cmd, check=True, cwd=src)
    if out.exists():
        shutil.rmtree(out)
    # Source maps and the theme's message catalogues are never loaded by a reader's browser.
    shutil.copytree(build / "_build" / "html", out,
                    ignore=shutil.ignore_patterns("*.map", ".buildinfo", "locales"))


# ------------------------------------------------------------------------------ assets


def copy_font(out: Path) -> None:
    """The figures' NanumGothic as the site's web font (see tools/site_font.py) + licence."""
    from course_lib.style import korean_font_files

    regular = [p for p in korean_font_files() if p.name == "NanumGothic.ttf"]
    if not regular:
        raise SystemExit("NanumGothic.ttf not found: install the course (pip install -e .)")
    fonts = out / "assets" / "fonts"
    chars = site_font.hangul_in(out) | site_font.common_syllables()
    site_font.make_web_font(regular[0], fonts / site_font.FILE_NAME, chars)
    shutil.copy(SITE_TOOLS / "NanumGothic-OFL.txt", fonts / "OFL.txt")


def mathjax_tarball() -> Path:
    """MathJax's npm package, fetched once with ``npm pack`` and checked against its hash."""
    CACHE.mkdir(parents=True, exist_ok=True)
    tarball = CACHE / "mathjax-3.2.2.tgz"
    if not tarball.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit("npm (Node.js) is needed once to fetch MathJax for the site: "
                             f"install it, or put {MATHJAX}'s tarball at {tarball}")
        subprocess.run([npm, "pack", MATHJAX, "--silent", "--pack-destination", str(CACHE)],
                       check=True, stdout=subprocess.DEVNULL)
    algorithm, _, expected = MATHJAX_INTEGRITY.partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, tarball.read_bytes()).digest()).decode()
    if digest != expected:
        tarball.unlink()
        raise SystemExit(f"{tarball.name} does not match {MATHJAX}'s published hash")
    return tarball


def copy_mathjax(assets: Path) -> None:
    target = assets / "mathjax"
    with tarfile.open(mathjax_tarball()) as tar:
        for member in tar.getmembers():
            if member.isfile() and member.name.startswith(MATHJAX_FILES):
                name = member.name.removeprefix("package/").removeprefix("es5/")
                dest = target / name
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(tar.extractfile(member).read())


def favicon_ico(path: Path) -> None:
    """The site icon (tools/site/static/favicon.svg) as a 32 × 32 ICO: a valley and a ball."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, 31, 31), radius=6, fill="#0072B2")
    draw.line([(6, 8), (11, 19), (16, 22), (21, 19), (26, 8)], fill="white", width=3)
    draw.ellipse((13, 16, 19, 22), fill="#E69F00")
    image.save(path, format="ICO", sizes=[(32, 32)])


# ------------------------------------------------------------------------------ checks

_RESOURCE = re.compile(
    r"""<(?:script|img|iframe|source|video|audio)\b[^>]*\ssrc=["']([^"']+)["']"""
    r"""|<link\b[^>]*\shref=["']([^"']+)["'][^>]*>""", re.I)
_CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)""")
_IMG = re.compile(r"<img\b[^>]*>", re.I)


def site_problems(out: Path) -> list[str]:
    """Images without alt text and resources from outside the folder, in the built site."""
    problems = []
    for page in sorted(out.rglob("*.html")):
        text = page.read_text(encoding="utf-8", errors="replace")
        rel = page.relative_to(out)
        for tag in _IMG.findall(text):
            alt = re.search(r"""\salt=["']([^"']*)["']""", tag)
            if not alt or not alt.group(1).strip():
                problems.append(f"{rel}: image without alt text: {tag[:120]}")
        for match in _RESOURCE.finditer(text):
            url = match.group(1) or match.group(2)
            tag = match.group(0).lower()
            is_resource = match.group(1) or re.search(r"rel=[\"'](stylesheet|preload|icon|"
                                                      r"modulepreload|prefetch)", tag)
            if is_resource and re.match(r"^(https?:)?//", url):
                problems.append(f"{rel}: loads {url} from outside the site")
    for css in sorted(out.rglob("*.css")):
        for url in _CSS_URL.findall(css.read_text(encoding="utf-8", errors="replace")):
            if re.match(r"^(https?:)?//", url):
                problems.append(f"{css.relative_to(out)}: loads {url} from outside the site")
    return problems


# -------------------------------------------------------------------------------- main


def build(out: Path = OUT) -> dict:
    started = time.monotonic()
    import course_lib  # noqa: F401  (fail early, before any work, if the course is missing)

    sources: dict[str, int] = {}
    jobs = [(lang, slug) for lang in LANGS for slug in lesson_slugs()]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(jobs, pool.map(lambda job: executed(*job), jobs), strict=True))
    for _, origin in results.values():
        sources[origin] = sources.get(origin, 0) + 1
    executed_at = time.monotonic()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    tocs = {}
    for lang in LANGS:
        src = WORK / lang
        lessons = {slug: results[(lang, slug)][0] for slug in lesson_slugs()}
        tocs[lang] = stage_edition(lang, lessons, src)
        book_config(lang, src)
        jupyter_book(src, out / lang)
    (out / "index.html").write_text(
        site_pages.root_page({lang: tocs[lang]["chapters"] for lang in LANGS}),
        encoding="utf-8")
    copy_mathjax(out / "assets")
    copy_font(out)  # last: it collects the Hangul of every page
    (out / ".nojekyll").write_text("", encoding="utf-8")  # GitHub Pages: serve _static/ too
    favicon_ico(out / "favicon.ico")  # for pages without an icon link (the printables)
    problems = site_problems(out)
    if problems:
        raise SystemExit("the site has problems:\n  " + "\n  ".join(problems[:50]))
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return {"lessons": sources, "execute_seconds": round(executed_at - started, 1),
            "seconds": round(time.monotonic() - started, 1), "megabytes": round(size / 2**20, 1),
            "pages": len(list(out.rglob("*.html"))),
            "printables": [p for lang in LANGS for p in tocs[lang]["printables"]]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (_build/site)")
    args = parser.parse_args(argv)
    report = build(args.out.resolve())
    print(f"site: {args.out} ({report['pages']} pages, {report['megabytes']} MB) in "
          f"{report['seconds']} s; lessons: {report['lessons']} "
          f"({report['execute_seconds']} s to get them)")
    print(f"serve it: python -m http.server -d {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
