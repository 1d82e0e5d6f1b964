"""Sphinx extension of the course site: the language switch and the figures' alt text.

Loaded by each edition's Jupyter Book (``sphinx.local_extensions`` in the generated
``_config.yml``, see ``tools/build_site.py``).  Configuration values:

``course_lang`` / ``course_other_lang``
    This edition's language and the other one (``"ko"``, ``"en"``).
``course_alt_file``
    A JSON file mapping the SHA-256 of each figure's PNG to its alt text.  myst-nb names
    the image files of notebook outputs by that hash, so every ``<img>`` of a lesson gets
    the description its cell gave (the ``alt`` of the ``image/png`` output metadata).

Every page gets a link to the same page in the other edition (template
``course-lang-switch.html`` in the article header) and a ``<link rel="alternate">``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx

LABELS = {"ko": "한국어", "en": "English"}
_HASH = re.compile(r"^[0-9a-f]{64}$")


def _alt_texts(app: Sphinx) -> dict[str, str]:
    if not hasattr(app, "_course_alts"):
        path = app.config.course_alt_file
        app._course_alts = json.loads(Path(path).read_text(encoding="utf-8")) if path else {}
    return app._course_alts


def _apply_alt(app: Sphinx, doctree: nodes.document) -> None:
    alts = _alt_texts(app)
    for image in doctree.findall(nodes.image):
        stem = Path(str(image.get("uri", ""))).stem
        if _HASH.match(stem) and stem in alts:
            image["alt"] = alts[stem]


def _page_context(app: Sphinx, pagename: str, templatename: str, context: dict,
                  doctree) -> None:
    other = app.config.course_other_lang
    to_site_root = "../" * (pagename.count("/") + 1)
    href = f"{to_site_root}{other}/{pagename}.html"
    context["course_switch"] = {"href": href, "lang": other, "label": LABELS[other]}
    context["metatags"] = context.get("metatags", "") + (
        f'\n<link rel="alternate" hreflang="{other}" href="{href}">')


def setup(app: Sphinx) -> dict:
    app.add_config_value("course_lang", "ko", "html")
    app.add_config_value("course_other_lang", "en", "html")
    app.add_config_value("course_alt_file", "", "env")
    app.connect("doctree-read", _apply_alt)
    app.connect("html-page-context", _page_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
