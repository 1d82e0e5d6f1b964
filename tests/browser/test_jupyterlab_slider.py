"""A teacher's view: JupyterLab in a real chromium, run all cells, move the lr slider.

Starts JupyterLab on 127.0.0.1 (a free port, no token, temporary root and workspace), opens
chapter 01 (or, before it exists, a one-cell notebook with ``lr_1d_playground()``), runs
all cells, focuses the learning-rate slider of the playground, presses ArrowRight and checks
that the plot image changed.  Screenshots go to ``test-artifacts/browser/``.

Skipped when ``/usr/bin/chromium`` is missing, unless ``CI=true`` (then it fails): CI
installs Debian's chromium and fonts-nanum (``.ci/run``).  ``pytest -m "not browser"``
leaves it out locally.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from chromium import CHROMIUM, CHROMIUM_ARGS, require_chromium

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHAPTER = ROOT / "notebooks" / "ko" / "01_intuition.ipynb"
PLAYGROUND = ".course-playground"

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _notebook(folder: Path) -> str:
    """Copy chapter 01 if it has the playground, else write a one-cell notebook."""
    if CHAPTER.exists() and "lr_1d_playground" in CHAPTER.read_text(encoding="utf-8"):
        shutil.copy(CHAPTER, folder / CHAPTER.name)
        return CHAPTER.name
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "from course_lib import set_language\n"
        "from course_lib.widgets import lr_1d_playground\n"
        'set_language("ko")\n'
        "lr_1d_playground()")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, folder / "playground.ipynb")
    return "playground.ipynb"


def _wait_for_server(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "api/status", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"jupyter lab did not answer at {url} within {timeout} s")


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server by its own PID: SIGTERM (it shuts its kernels down), then SIGKILL."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def _press_and_time(page, handle, key: str) -> float:
    """Press a key on the slider; ms until the playground's image has a new source."""
    page.evaluate(
        f"""() => {{
            const img = document.querySelector('{PLAYGROUND} img');
            window.__src = img.src; window.__t0 = performance.now(); window.__dt = null;
            new MutationObserver((_, obs) => {{
                window.__dt = performance.now() - window.__t0; obs.disconnect();
            }}).observe(img, {{attributes: true, attributeFilter: ['src']}});
        }}""")
    handle.press(key)
    page.wait_for_function("window.__dt !== null", timeout=20_000)
    return page.evaluate("window.__dt")


@pytest.fixture
def lab(tmp_path):
    """A JupyterLab server on a free port serving a temporary copy of the notebook."""
    root, home = tmp_path / "root", tmp_path / "home"
    root.mkdir()
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    # No news / update pop-up over the notebook.
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}), encoding="utf-8")
    name = _notebook(root)
    port = _free_port()
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime")}
    env.pop("MPLBACKEND", None)  # the kernel must use its default (inline) backend
    log = open(tmp_path / "lab.log", "wb")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--allow-root", "--no-browser",
         "--ip", "127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
         "--ServerApp.token=", "--ServerApp.password=", f"--ServerApp.root_dir={root}",
         "--LabApp.expose_app_in_browser=True"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_for_server(url, proc)
        yield url, name
    finally:
        _stop(proc)
        log.close()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(tmp_path / "lab.log", ARTIFACTS / "jupyterlab.log")


def test_learning_rate_slider_redraws_the_plot(lab):
    require_chromium()
    from playwright.sync_api import sync_playwright

    url, name = lab
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(f"{url}lab/tree/{name}?reset", timeout=60_000)
            page.wait_for_selector(".jp-Notebook", timeout=45_000)
            page.wait_for_function("window.jupyterapp !== undefined", timeout=30_000)
            page.wait_for_function(  # the notebook's kernel is up
                "async () => { const w = window.jupyterapp.shell.currentWidget;"
                " await w.context.ready; await w.sessionContext.ready;"
                " return w.sessionContext.session?.kernel?.status === 'idle'; }",
                timeout=45_000, polling=500)
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")

            image = page.locator(f"{PLAYGROUND} img").first
            image.wait_for(state="visible", timeout=45_000)
            page.wait_for_function(
                f"document.querySelector('{PLAYGROUND} img').naturalWidth > 0",
                timeout=20_000)
            # The lesson's figures (cells above the playground) carry their alt text as
            # JupyterLab renders them: <img alt> from the figure's text/html form.
            figure_alts = page.evaluate(
                "Array.from(document.querySelectorAll('.jp-OutputArea-output img'))"
                f".filter(i => !i.closest('{PLAYGROUND}')).map(i => i.alt)")
            image.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "01_before.png"))
            src_before = image.get_attribute("src")
            pixels_before = image.screenshot(path=str(ARTIFACTS / "01_plot_before.png"))
            readout = page.locator(f"{PLAYGROUND} .widget-slider .widget-readout").first
            value_before = readout.inner_text()

            handle = page.locator(f"{PLAYGROUND} .widget-slider .noUi-handle").first
            handle.focus()
            page.keyboard.press("ArrowRight")

            page.wait_for_function(
                f"document.querySelector('{PLAYGROUND} img').src !== {json.dumps(src_before)}",
                timeout=20_000)
            page.wait_for_function(
                f"document.querySelector('{PLAYGROUND} img').naturalWidth > 0",
                timeout=20_000)
            pixels_after = image.screenshot(path=str(ARTIFACTS / "01_plot_after.png"))
            page.screenshot(path=str(ARTIFACTS / "01_after.png"))
            value_after = readout.inner_text()
            latencies = [_press_and_time(page, handle, key) for key in ["ArrowRight"] * 4
                         + ["ArrowLeft"] * 4]
            (ARTIFACTS / "key_to_redraw_ms.txt").write_text(
                "key press to new plot image in the page, ms: "
                + ", ".join(f"{ms:.0f}" for ms in latencies) + "\n", encoding="utf-8")
            errors = page.locator("[data-mime-type='application/vnd.jupyter.stderr']").count()
        finally:
            browser.close()
    assert value_after != value_before, "ArrowRight did not move the learning-rate slider"
    assert pixels_after != pixels_before, "the plot looks the same after the slider moved"
    assert errors == 0, "a cell wrote to stderr (a warning or a traceback)"
    if name == CHAPTER.name:  # chapter 01, Korean edition: four figures above the playground
        assert len(figure_alts) >= 4, figure_alts
        assert all(re.search("[가-힣]", alt) for alt in figure_alts), figure_alts
    assert time.monotonic() - started < 60
