"""Build the printable edition of all topic sheets: one self-contained HTML file, A4 pages.

    python exam/build_print.py                  # writes exam/topic_sheets.html
    python exam/build_print.py --check          # exit 1 if the committed file is out of date
    python exam/build_print.py --pdf out.pdf    # also print it to PDF with chromium (playwright)

Layout: a cover page with the contents, then every sheet's Korean half on its own page
(part 1, 한국어), then every English half (part 2), so one language prints as one page range.
The Korean font (NanumGothic, shipped inside the koreanize-matplotlib wheel the course
installs) and DejaVu Sans / Sans Mono (shipped with matplotlib) are embedded as subsets of
the characters the document uses, so the file renders the same offline on any machine.
Korean text breaks between words only (``word-break: keep-all``).  In the hand-drawn sketches
each wide character (Hangul) is given two monospace columns and every other non-ASCII
character one, so the boxes and arrows line up as they do in the Markdown source.

The sheets are written in a small Markdown subset (headings, bullets, tables, fenced
sketches, **bold**, `code`); anything else is an error, so the printed edition cannot
silently drop content.
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import re
import sys
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from site_font import rename  # noqa: E402  (the OFL renaming, shared with the site)

HERE = Path(__file__).resolve().parent
TOPICS = HERE / "topics"
OUTPUT = HERE / "topic_sheets.html"

TEXT = {
    "title": ("경사 하강법 기술사 대비: 주제별 시트",
              "Gradient descent for the 기술사 exam: topic sheets"),
    "part_ko": "1부 한국어 / Part 1, Korean",
    "part_en": "2부 영어 / Part 2, English",
    "contents": "차례 / Contents",
    "use_ko": ("시트마다 한 쪽, 답안 구조 Ⅰ 개요 → Ⅱ 구성 요소와 원리 → Ⅲ 비교 → Ⅳ 적용 → "
               "Ⅴ 기대 효과와 결론 순서임. 수치 예는 course_lib로 계산하고 테스트로 확인함. "
               "한국어만 인쇄하려면 1부, 영어만 인쇄하려면 2부의 쪽 범위를 지정함."),
    "use_en": ("One page per sheet, in the answer structure I Overview → II Components and "
               "principles → III Comparison → IV Application → V Expected effects and "
               "conclusion. The worked numbers are computed by course_lib and checked by tests. "
               "To print one language, print the page range of its part."),
    "colophon": ("exam/topics/*.md에서 생성 · generated from exam/topics/*.md by "
                 "python exam/build_print.py · fonts: Course Gothic (a subset of NanumGothic "
                 "© NAVER Corporation, renamed as the SIL Open Font License 1.1 asks of a "
                 "Modified Version), "
                 "DejaVu Sans / Sans Mono (Bitstream Vera license), embedded as subsets"),
}

CSS = """
@page { size: A4; margin: 10mm 12mm 9mm 12mm; }
html { background: #ddd; }
body { font-family: "Course Gothic", "Course DejaVu", sans-serif; font-size: 8.6pt;
       line-height: 1.36; color: #111; margin: 0; }
:lang(ko) { word-break: keep-all; overflow-wrap: break-word; }
.page { background: #fff; width: 186mm; min-height: 277mm; margin: 8mm auto; padding: 10mm 12mm;
        box-shadow: 0 0 4px #999; box-sizing: content-box; }
.running { font-size: 7pt; color: #666; border-bottom: 0.4pt solid #999; margin-bottom: 2mm;
           display: flex; justify-content: space-between; }
h1 { font-size: 12.5pt; margin: 0 0 2mm 0; line-height: 1.25; }
h2 { font-size: 9.6pt; margin: 2.4mm 0 0.8mm 0; padding-bottom: 0.3mm;
     border-bottom: 0.6pt solid #777; break-after: avoid; }
ul { margin: 0.4mm 0; padding-left: 4.5mm; }
li { margin: 0.25mm 0; }
p { margin: 0.8mm 0; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0; font-size: 8pt; line-height: 1.28;
        break-inside: avoid; }
th, td { border: 0.5pt solid #999; padding: 0.5mm 1.3mm; vertical-align: top; text-align: left; }
th { background: #eee; }
code { font-family: "Course Mono", "Course Gothic", monospace; font-size: 0.92em; }
pre { font-family: "Course Mono", "Course Gothic", monospace; font-size: 7.4pt; line-height: 1.22;
      background: #f6f6f6; border: 0.5pt solid #ccc; padding: 1mm 1.5mm; margin: 1mm 0;
      white-space: pre; overflow: hidden; break-inside: avoid; word-break: normal; }
pre .w1, pre .w2 { display: inline-block; text-align: center; }
pre .w1 { width: 1ch; }
pre .w2 { width: 2ch; }
.cover h1 { font-size: 17pt; margin-top: 8mm; }
.cover .use { font-size: 9pt; margin: 3mm 0; }
.toc { font-size: 9pt; }
.toc td { border: none; border-bottom: 0.4pt solid #ddd; padding: 0.9mm 1mm; }
.toc td.n { width: 8mm; } .toc td.pg { width: 12mm; text-align: right; }
.colophon { font-size: 7pt; color: #555; margin-top: 6mm; }
a { color: inherit; text-decoration: none; }
@media print {
  html { background: none; }
  .page { margin: 0; padding: 0; width: auto; min-height: 0; box-shadow: none;
          break-after: page; }
  .page:last-child { break-after: auto; }
}
"""


# ------------------------------------------------------------------ reading the sheets
class Sheet:
    """One topic sheet: its number, the two titles and the two halves (Markdown)."""

    def __init__(self, path: Path):
        text = path.read_text(encoding="utf-8")
        first, _, rest = text.partition("\n")
        m = re.fullmatch(r"# (\d\d)\. (.+?) / (.+)", first)
        if not m:
            raise ValueError(f"{path.name}: first line must be '# NN. 한국어 제목 / English title'")
        self.path, self.number, self.title_ko, self.title_en = path, m[1], m[2], m[3]
        try:
            ko_at, en_at = rest.index("## 한국어"), rest.index("## English")
        except ValueError:
            raise ValueError(f"{path.name}: needs '## 한국어' and then '## English'") from None
        self.ko = rest[ko_at + len("## 한국어"):en_at].strip().removesuffix("---").strip()
        self.en = rest[en_at + len("## English"):].strip()


def read_sheets(folder: Path = TOPICS) -> list[Sheet]:
    sheets = [Sheet(p) for p in sorted(folder.glob("[0-9][0-9]_*.md"))]
    numbers = [s.number for s in sheets]
    if numbers != [f"{i:02d}" for i in range(1, len(sheets) + 1)]:
        raise ValueError(f"sheets must be numbered 01, 02, ... without gaps, got {numbers}")
    return sheets


# ------------------------------------------------------------------ Markdown subset → HTML
def _inline(text: str) -> str:
    out, pos = [], 0
    for m in re.finditer(r"`([^`]+)`|\*\*(.+?)\*\*", text):
        out.append(html.escape(text[pos:m.start()], quote=False))
        if m[1] is not None:
            out.append(f"<code>{html.escape(m[1], quote=False)}</code>")
        else:
            out.append(f"<strong>{_inline(m[2])}</strong>")
        pos = m.end()
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


#: Monospace columns that fit the printed width (186 mm at 7.4 pt DejaVu Sans Mono: ~116).
MAX_SKETCH_COLUMNS = 108


def display_width(line: str) -> int:
    """Columns a sketch line takes: 2 for a wide (Hangul) character, 0 for a combining mark."""
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in line)


def _sketch_line(line: str) -> str:
    """One sketch line with every non-ASCII character in a box of one or two columns."""
    out, i = [], 0
    while i < len(line):
        cluster = line[i]
        i += 1
        while i < len(line) and unicodedata.combining(line[i]):
            cluster += line[i]
            i += 1
        if cluster.isascii():
            out.append(html.escape(cluster, quote=False))
            continue
        wide = unicodedata.east_asian_width(cluster[0]) in ("W", "F")
        out.append(f'<span class="w{2 if wide else 1}">{html.escape(cluster, quote=False)}</span>')
    return "".join(out)


def _cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|")]


def markdown_to_html(md: str, where: str = "sheet") -> str:
    """The sheets' Markdown subset as HTML; raise ValueError on anything else."""
    lines, out, i = md.splitlines(), [], 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
        elif line.startswith("### "):
            out.append(f"<h2>{_inline(line[4:])}</h2>")
            i += 1
        elif line.startswith("```"):
            end = lines.index("```", i + 1)
            for sketch_line in lines[i + 1:end]:
                if display_width(sketch_line) > MAX_SKETCH_COLUMNS:
                    raise ValueError(f"{where}: sketch line wider than {MAX_SKETCH_COLUMNS} "
                                     f"columns would be cut off in print: {sketch_line!r}")
            body = "\n".join(_sketch_line(s) for s in lines[i + 1:end])
            out.append(f"<pre>{body}</pre>")
            i = end + 1
        elif line.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(lines[i])
                i += 1
            if len(rows) < 2 or not re.fullmatch(r"\|(\s*:?-+:?\s*\|)+", rows[1].strip()):
                raise ValueError(f"{where}: a table needs a |---| line under its header")
            head = "".join(f"<th>{_inline(c)}</th>" for c in _cells(rows[0]))
            body = "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in _cells(r))
                           + "</tr>" for r in rows[2:])
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        elif re.match(r"( {2})?- ", line):
            out.append(_bullets(lines, i, where))
            while i < len(lines) and re.match(r"( {2})?- ", lines[i]):
                i += 1
        elif re.match(r"[#>*]|\d+\. ", line):
            raise ValueError(f"{where}: unsupported Markdown: {line!r}")
        else:
            para = []
            while i < len(lines) and lines[i].strip() and not re.match(r"[-|#`]", lines[i]):
                para.append(lines[i].strip())
                i += 1
            out.append(f"<p>{_inline(' '.join(para))}</p>")
    return "\n".join(out)


def _bullets(lines: list[str], i: int, where: str) -> str:
    out, open_sub = ["<ul>"], False
    while i < len(lines) and re.match(r"( {2})?- ", lines[i]):
        sub, text = lines[i].startswith("  "), lines[i].lstrip()[2:]
        if sub and not open_sub:
            if out[-1] == "<ul>":
                raise ValueError(f"{where}: a nested bullet needs a parent: {lines[i]!r}")
            out[-1] = out[-1].removesuffix("</li>") + "<ul>"
            open_sub = True
        elif not sub and open_sub:
            out.append("</ul></li>")
            open_sub = False
        out.append(f"<li>{_inline(text)}</li>")
        i += 1
    out.append("</ul></li></ul>" if open_sub else "</ul>")
    return "".join(out)


# ------------------------------------------------------------------ fonts
def _font_paths() -> dict[str, Path]:
    import matplotlib

    from course_lib.style import korean_font_files

    nanum = {p.name: p for p in korean_font_files()}
    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    paths = {"Course DejaVu": ttf / "DejaVuSans.ttf", "Course Mono": ttf / "DejaVuSansMono.ttf"}
    if "NanumGothic.ttf" not in nanum or "NanumGothicBold.ttf" not in nanum:
        raise RuntimeError("NanumGothic not found: install the course (pip install -e .), "
                           "which brings koreanize-matplotlib and its fonts")
    paths["Course Gothic"] = nanum["NanumGothic.ttf"]
    paths["Course Gothic Bold"] = nanum["NanumGothicBold.ttf"]
    return paths


def _subset_woff(path: Path, chars: set[str]) -> tuple[str, set[str]]:
    """A WOFF subset of ``path`` holding ``chars`` (as base64), and the chars it covers."""
    import logging

    from fontTools import subset
    from fontTools.ttLib import TTFont

    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)   # "table dropped" notes
    font = TTFont(path, recalcTimestamp=False)
    covered = {c for c in chars if ord(c) in font.getBestCmap()}
    options = subset.Options()
    options.flavor, options.hinting, options.desubroutinize = "woff", False, True
    options.layout_features, options.name_IDs = ["*"], ["*"]
    options.drop_tables += ["TSI0", "TSI1", "TSI2", "TSI3", "TSI5"]   # VTT sources
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(covered)) or " ")
    subsetter.subset(font)
    if path.name.startswith("NanumGothic"):
        # The OFL reserves the name "Nanum" for the original; a subset is a Modified Version.
        rename(font, "Bold" if "Bold" in path.name else "Regular")
    buffer = io.BytesIO()
    font.save(buffer)
    return base64.b64encode(buffer.getvalue()).decode("ascii"), covered


#: What NanumGothic draws: Latin text, Hangul, CJK punctuation, Roman numerals (Ⅰ…) and
#: circled numbers (①…).  Greek, arrows, mathematical signs, sub- and superscripts come from
#: DejaVu Sans, whose glyphs for them are far better than NanumGothic's.
NANUM_RANGES = ((0x20, 0xB1), (0xB4, 0xB8), (0xBA, 0xFF), (0x1100, 0x11FF), (0x2010, 0x2027),
                (0x2160, 0x217F), (0x2460, 0x24FF), (0x3000, 0x303F), (0x3130, 0x318F),
                (0xAC00, 0xD7AF), (0xFF00, 0xFFEF))


def _in_nanum_range(c: str) -> bool:
    return any(lo <= ord(c) <= hi for lo, hi in NANUM_RANGES)


def font_faces(body_chars: set[str], mono_chars: set[str], *,
               embed: bool = True) -> tuple[str, set[str]]:
    """@font-face rules embedding the subsets, and the characters no embedded font has.

    The browser tries "Course Gothic" for the characters in :data:`NANUM_RANGES` and "Course
    DejaVu" for the rest (and for anything NanumGothic lacks); sketches and code try
    "Course Mono" first.  Each font gets exactly the characters it will be asked for.
    With ``embed=False`` the rules are the same but hold no font data (fast, for tests).
    """
    visible = {c for c in body_chars | mono_chars
               if not c.isspace() and not unicodedata.combining(c)}
    marks = {c for c in body_chars | mono_chars if unicodedata.combining(c)}
    paths = _font_paths() if embed else {}

    def subset(key: str, chars: set[str]) -> tuple[str, set[str]]:
        return _subset_woff(paths[key], chars) if embed else ("", set(chars))

    nanum_range = ", ".join(f"U+{lo:04X}-{hi:04X}" for lo, hi in NANUM_RANGES)
    in_range = {c for c in visible if _in_nanum_range(c)}
    rules, nanum = [], set()
    for key, weight in (("Course Gothic", "normal"), ("Course Gothic Bold", "bold")):
        data, got = subset(key, in_range)
        nanum |= got
        rules.append(f'@font-face {{ font-family: "Course Gothic"; font-weight: {weight}; '
                     f'src: url(data:font/woff;base64,{data}) format("woff"); '
                     f"unicode-range: {nanum_range}; }}")
    data, dejavu = subset("Course DejaVu", (visible - nanum) | marks)
    rules.append('@font-face { font-family: "Course DejaVu"; '
                 f'src: url(data:font/woff;base64,{data}) format("woff"); }}')
    data, _ = subset("Course Mono", mono_chars)
    rules.append('@font-face { font-family: "Course Mono"; '
                 f'src: url(data:font/woff;base64,{data}) format("woff"); }}')
    return "\n".join(rules), visible - nanum - dejavu


FONT_DATA = re.compile(r"data:font/woff;base64,[A-Za-z0-9+/=]*")


def uncovered_characters(page: str) -> set[str]:
    """Visible characters of ``page`` that none of its embedded fonts can draw.

    A character counts as covered by a font whose ``unicode-range`` (if any) contains it and
    whose character map has it.  Reads the fonts back from the document itself, so a
    committed file whose subsets miss a newly used character is caught.
    """
    from fontTools.ttLib import TTFont

    fonts = []
    for rule in re.findall(r"@font-face \{(.*?)\}", page):
        data = re.search(r"base64,([A-Za-z0-9+/=]*)", rule)[1]
        ranges = [tuple(int(x, 16) for x in r.split("-"))
                  for r in re.findall(r"U\+([0-9A-F]+-[0-9A-F]+)", rule)]
        cmap = set(TTFont(io.BytesIO(base64.b64decode(data))).getBestCmap()) if data else set()
        fonts.append((ranges, cmap))
    body = page[page.index("<body>"):]
    return {c for c in _text_of(body) if not c.isspace() and not unicodedata.combining(c)
            and not any(ord(c) in cmap and (not ranges or any(lo <= ord(c) <= hi
                                                              for lo, hi in ranges))
                        for ranges, cmap in fonts)}


def without_font_data(page: str) -> str:
    """The document with the embedded font files replaced by a placeholder."""
    return FONT_DATA.sub("data:font/woff;base64,…", page)


# ------------------------------------------------------------------ the document
def _text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def _page(body: str, lang: str, running: tuple[str, str], anchor: str = "") -> str:
    ident = f' id="{anchor}"' if anchor else ""
    left, right = (html.escape(s) for s in running)
    return (f'<section class="page" lang="{lang}"{ident}><div class="running"><span>{left}'
            f"</span><span>{right}</span></div>\n{body}\n</section>")


def render_document(sheets: list[Sheet] | None = None, *, embed_fonts: bool = True) -> str:
    """The whole printable edition as one HTML string.

    ``embed_fonts=False`` leaves the font data out (the rules stay): the same document as far
    as :func:`without_font_data` can tell, in a fraction of the time.
    """
    sheets = read_sheets() if sheets is None else sheets
    n = len(sheets)
    pages, rows = [], []
    for k, s in enumerate(sheets, start=1):
        rows.append(f'<tr><td class="n">{s.number}</td><td lang="ko"><a href="#ko-{s.number}">'
                    f"{html.escape(s.title_ko)}</a></td><td class=\"pg\">{1 + k}</td>"
                    f'<td><a href="#en-{s.number}">{html.escape(s.title_en)}</a></td>'
                    f'<td class="pg">{1 + n + k}</td></tr>')
    cover = (f'<div class="cover"><h1 lang="ko">{html.escape(TEXT["title"][0])}</h1>'
             f'<h1>{html.escape(TEXT["title"][1])}</h1>'
             f'<p class="use" lang="ko">{html.escape(TEXT["use_ko"])}</p>'
             f'<p class="use">{html.escape(TEXT["use_en"])}</p>'
             f'<h2>{html.escape(TEXT["contents"])}</h2><table class="toc"><tbody>'
             + "".join(rows) + "</tbody></table>"
             f'<p class="colophon">{html.escape(TEXT["colophon"])}</p></div>')
    pages.append(_page(cover, "ko", (TEXT["title"][0], f"1 / {1 + 2 * n}")))
    for lang, part in (("ko", TEXT["part_ko"]), ("en", TEXT["part_en"])):
        for k, s in enumerate(sheets, start=1):
            title = s.title_ko if lang == "ko" else s.title_en
            body = (f"<h1>{html.escape(s.number)}. {html.escape(title)}</h1>\n"
                    + markdown_to_html(s.ko if lang == "ko" else s.en,
                                       f"{s.path.name} ({lang})"))
            page_no = 1 + k + (n if lang == "en" else 0)
            pages.append(_page(body, lang, (part, f"{s.number} · {page_no} / {1 + 2 * n}"),
                               f"{lang}-{s.number}"))
    doc_body = "\n".join(pages)
    mono = "".join(m[1] for m in re.findall(r"<(pre|code)>(.*?)</\1>", doc_body, flags=re.S))
    faces, missing = font_faces(set(_text_of(doc_body)), set(_text_of(mono)),
                                embed=embed_fonts)
    if missing:
        raise ValueError("no embedded font has " + " ".join(
            f"{c} (U+{ord(c):04X})" for c in sorted(missing)))
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="ko"><head><meta charset="utf-8">',
        f"<title>{html.escape(TEXT['title'][0])} / {html.escape(TEXT['title'][1])}</title>",
        f"<style>{faces}\n{CSS}</style></head><body>",
        doc_body,
        "</body></html>",
        "",
    ])


def print_pdf(html_path: Path, pdf_path: Path) -> int:
    """Print ``html_path`` to ``pdf_path`` with Debian's chromium; return the page count."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                    args=["--no-sandbox", "--disable-gpu",
                                          "--disable-background-networking"])
        try:
            page = browser.new_page()
            page.goto(html_path.resolve().as_uri())
            page.pdf(path=str(pdf_path), prefer_css_page_size=True, print_background=True)
        finally:
            browser.close()
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf_path.read_bytes()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if exam/topic_sheets.html is out of date")
    parser.add_argument("--pdf", type=Path, help="also print the document to this PDF file")
    args = parser.parse_args(argv)
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if without_font_data(current) != without_font_data(render_document(embed_fonts=False)):
            print(f"out of date: {OUTPUT.name}; run python exam/build_print.py")
            return 1
        if missing := uncovered_characters(current):
            print(f"{OUTPUT.name}: the embedded fonts lack {''.join(sorted(missing))}; "
                  "run python exam/build_print.py")
            return 1
        return 0
    page = render_document()
    OUTPUT.write_text(page, encoding="utf-8")
    print(f"wrote {OUTPUT} ({len(page) // 1024} KiB)")
    if args.pdf:
        print(f"wrote {args.pdf} ({print_pdf(OUTPUT, args.pdf)} pages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
