"""The website is built once per session, after the lessons have run.

The site uses the lessons as the nbval run of the same session executed them
(``tools/executed_notebooks.py`` saves them), so its tests are moved to the end of the run;
run alone (``pytest tests/site``), the build executes the lessons itself.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "site"


def pytest_collection_modifyitems(session, config, items):
    site = [item for item in items if HERE in Path(str(item.fspath)).parents]
    if site:
        others = [item for item in items if item not in site]
        items[:] = others + site


@pytest.fixture(scope="session")
def site():
    """The built site (``_build/site``) and the build's report (time, size, pages)."""
    import build_site

    started = time.monotonic()
    report = build_site.build(build_site.OUT)
    report["wall_seconds"] = round(time.monotonic() - started, 1)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "build.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    return build_site.OUT, report
