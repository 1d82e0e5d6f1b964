"""The site's Korean web font: the figures' NanumGothic, made loadable by browsers.

The course's figures use ``NanumGothic.ttf`` from the koreanize-matplotlib wheel (the same
file as Debian's fonts-nanum).  Browsers refuse that file as a web font: Chrome's and
Firefox's font sanitiser (OTS) rejects its empty ``TSI3`` table, one of the VTT hinting
*source* tables left in the font ("OTS parsing error: TSI3: zero-length table"), and the
page falls back to whatever Korean font the reader has, or to empty boxes.

So the site ships a Modified Version under the font's licence (SIL OFL 1.1): the same glyph
outlines, without the VTT source tables and hinting, cut down to the Hangul the site uses
plus the 2,350 syllables of KS X 1001 (so that most words typed into the search box show
too), as WOFF.  The OFL forbids a Modified Version to carry the Reserved Font Names
("Nanum", "NanumGothic", ...), so it is renamed **Course Gothic**; the licence, with
NAVER's copyright and a note of what was changed, is shipped beside it (``OFL.txt``).
"""

from __future__ import annotations

import re
from pathlib import Path

FAMILY = "Course Gothic"
FILE_NAME = "CourseGothic.woff"
HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff]")
_VTT_SOURCES = ["TSI0", "TSI1", "TSI2", "TSI3", "TSI5"]
_NOTE = ("Modified Version of NanumGothic for the course's web pages and printed sheets: "
         "subset, VTT source tables and hinting removed, renamed (SIL Open Font License 1.1).")


def common_syllables() -> set[str]:
    """The 2,350 Hangul syllables of KS X 1001 (EUC-KR rows 0xB0-0xC8)."""
    chars = set()
    for lead in range(0xB0, 0xC9):
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes([lead, trail]).decode("euc-kr"))
            except UnicodeDecodeError:
                continue
    return {c for c in chars if HANGUL.match(c)}


def hangul_in(folder: Path) -> set[str]:
    """Every Hangul character of the site's pages, styles and scripts."""
    chars: set[str] = set()
    for path in folder.rglob("*"):
        if path.suffix in (".html", ".js", ".css") and path.is_file():
            chars.update(HANGUL.findall(path.read_text(encoding="utf-8", errors="ignore")))
    return chars


def make_web_font(source: Path, target: Path, chars: set[str]) -> None:
    """Write the renamed, subset WOFF of ``source`` holding at least ``chars``."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(source))
    options = subset.Options()
    options.flavor = "woff"
    options.hinting = False
    options.drop_tables += _VTT_SOURCES
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(chars)))
    subsetter.subset(font)
    rename(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    font.flavor = "woff"
    font.save(str(target))


def rename(font, style: str = "Regular") -> None:
    """Give a subset of NanumGothic the name :data:`FAMILY` (the OFL's Reserved Font Names).

    Used by the site and by the printed topic sheets (``exam/build_print.py``).
    """
    names = font["name"]
    postscript = FAMILY.replace(" ", "") + "-" + style
    for record in list(names.names):
        ids = (record.platformID, record.platEncID, record.langID)
        if record.nameID in (1, 16):
            names.setName(FAMILY, record.nameID, *ids)
        elif record.nameID == 4:
            names.setName(f"{FAMILY} {style}" if style != "Regular" else FAMILY, 4, *ids)
        elif record.nameID == 6:
            names.setName(postscript, 6, *ids)
        elif record.nameID == 3:
            names.setName(f"{FAMILY} {style} 3.021 (derived; see OFL.txt)", 3, *ids)
        elif record.nameID == 0:
            names.setName(f"{record.toUnicode()} {_NOTE}", 0, *ids)
        elif record.nameID == 13:
            names.setName("SIL Open Font License, Version 1.1", 13, *ids)
        elif record.nameID == 14:
            names.setName("https://openfontlicense.org", 14, *ids)
    names.removeNames(nameID=7)  # the trademark notice of the original name, no longer used
