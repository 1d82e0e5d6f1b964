"""Every chapter has the same section names and working previous/next links, in both editions."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import build_notebooks
import pytest
from lesson_form import SECTIONS, form_problems, hand_written_navigation

ROOT = Path(__file__).resolve().parents[1]
SLUGS = sorted(p.stem for p in build_notebooks.SOURCE_DIR.glob("*.txt"))
EDITIONS = [(lang, slug) for lang in ("ko", "en") for slug in SLUGS]


def _neighbours(slug: str) -> tuple[str | None, str | None]:
    i = SLUGS.index(slug)
    previous = f"{SLUGS[i - 1]}.ipynb" if i > 0 else None
    following = f"{SLUGS[i + 1]}.ipynb" if i + 1 < len(SLUGS) else None
    return previous, following


def _load(lang: str, slug: str) -> tuple[dict, Path]:
    path = ROOT / "notebooks" / lang / f"{slug}.ipynb"
    return json.loads(path.read_text(encoding="utf-8")), path


@pytest.mark.parametrize(("lang", "slug"), EDITIONS, ids=[f"{lang}-{s}" for lang, s in EDITIONS])
def test_sections_and_links(lang, slug):
    nb, path = _load(lang, slug)
    assert form_problems(nb, lang, path, *_neighbours(slug)) == []


@pytest.mark.parametrize("slug", SLUGS)
def test_sources_leave_navigation_to_the_builder(slug):
    text = (build_notebooks.SOURCE_DIR / f"{slug}.txt").read_text(encoding="utf-8")
    assert hand_written_navigation(text) == [], "previous/next links are generated"


def test_the_first_and_last_chapters_link_one_way():
    first, _ = _load("ko", SLUGS[0])
    last, _ = _load("en", SLUGS[-1])
    assert "이전 장" not in "".join(first["cells"][-1]["source"])
    assert "**Next:**" not in "".join(last["cells"][-1]["source"])
    assert "**Previous:**" in "".join(last["cells"][-1]["source"])


def test_broken_form_is_reported():
    """Planted faults: each one is caught, with the chapter named."""
    nb, path = _load("ko", "05_momentum_nesterov")
    previous, following = _neighbours("05_momentum_nesterov")
    assert form_problems(nb, "ko", path, previous, following) == []

    renamed = copy.deepcopy(nb)      # "## 정리" written as "## 요약"
    for cell in renamed["cells"]:
        cell["source"] = [line.replace(SECTIONS["ko"][1], "## 요약") for line in cell["source"]]
    assert any("'## 정리' appears 0 times" in p
               for p in form_problems(renamed, "ko", path, previous, following))

    wrong_next = form_problems(nb, "ko", path, previous, "07_adam_adamw.ipynb")
    assert wrong_next == ["05_momentum_nesterov.ipynb: '다음 장' must link to "
                          "07_adam_adamw.ipynb, found 06_adagrad_rmsprop.ipynb"]

    no_nav = copy.deepcopy(nb)
    no_nav["cells"].pop()
    assert any("navigation cell" in p for p in form_problems(no_nav, "ko", path, previous,
                                                             following))

    dead_link = copy.deepcopy(nb)
    dead_link["cells"][0]["source"].append("\n[ex99](../../exercises/ex99_missing.ipynb)")
    assert any("leads nowhere" in p
               for p in form_problems(dead_link, "ko", path, previous, following))

    assert hand_written_navigation("**다음 장:** [06](06_x.ipynb)") != []
