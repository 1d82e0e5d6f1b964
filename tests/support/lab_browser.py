"""JupyterLab in a real browser (Debian chromium through Python playwright), for the tests.

Facts from TOOLING_NOTES: the server is started by its own PID and stopped by it; a private
settings folder silences the news pop-up; ``--LabApp.expose_app_in_browser`` gives the page
``window.jupyterapp``, whose commands run cells and save without key presses.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from chromium import CHROMIUM, CHROMIUM_ARGS, require_chromium

__all__ = ["CHROMIUM", "chromium_page", "command", "free_port", "jupyter_lab", "open_notebook",
           "require_chromium", "run_all", "wait_until_idle"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


@contextlib.contextmanager
def jupyter_lab(root: Path, home: Path, extra: list[str] = (), log: Path | None = None
                ) -> Iterator[str]:
    """A JupyterLab server on a free port serving ``root``; yields its URL.

    ``home`` holds its settings, workspaces and runtime files (no pop-ups, no old tabs);
    ``extra`` are more command-line options (``--LabApp.default_url=...``).
    """
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}), encoding="utf-8")
    port = free_port()
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime")}
    env.pop("MPLBACKEND", None)  # the kernel must use its default (inline) backend
    log = log or home / "lab.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--allow-root", "--no-browser",
             "--ip", "127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
             "--ServerApp.token=", "--ServerApp.password=", f"--ServerApp.root_dir={root}",
             "--LabApp.expose_app_in_browser=True", *extra],
            env=env, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}/"
        try:
            _wait_for_server(url, proc)
            yield url
        finally:
            _stop(proc)


@contextlib.contextmanager
def chromium_page(width: int = 1280, height: int = 1000):
    """A page of a headless Debian chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()


def wait_until_idle(page, timeout_ms: int = 60_000) -> None:
    """Wait until the current notebook's kernel is up and idle."""
    page.wait_for_function("window.jupyterapp !== undefined", timeout=30_000)
    page.wait_for_function(
        "async () => { const w = window.jupyterapp.shell.currentWidget;"
        " if (!w || !w.sessionContext) return false;"
        " await w.context.ready; await w.sessionContext.ready;"
        " return w.sessionContext.session?.kernel?.status === 'idle'; }",
        timeout=timeout_ms, polling=500)


def open_notebook(page, url: str, path: str) -> None:
    """Open ``path`` (relative to the server's root) and wait for its kernel."""
    page.goto(f"{url}lab/tree/{path}?reset", timeout=60_000)
    page.wait_for_selector(".jp-Notebook", timeout=45_000)
    wait_until_idle(page)


def command(page, name: str, args: dict | None = None):
    """Run a JupyterLab command (``notebook:run-all-cells``, ``docmanager:save``)."""
    return page.evaluate("([n, a]) => window.jupyterapp.commands.execute(n, a)",
                         [name, args or {}])


def run_all(page, timeout_ms: int = 90_000) -> None:
    """Run every cell of the current notebook and wait until none is queued or running."""
    command(page, "notebook:run-all-cells")
    page.wait_for_function(
        "() => { const w = window.jupyterapp.shell.currentWidget;"
        " const busy = [...w.content.node.querySelectorAll('.jp-InputPrompt')]"
        "   .some(p => p.textContent.includes('*'));"
        " return !busy && w.sessionContext.session?.kernel?.status === 'idle'; }",
        timeout=timeout_ms, polling=500)
