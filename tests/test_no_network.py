"""Kernels started by the tests have no network: a notebook that needs it fails here."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def _run(source: str) -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    NotebookClient(nb, timeout=60, kernel_name="python3").execute()


def test_kernel_cannot_reach_the_internet():
    with pytest.raises(CellExecutionError, match="network access is blocked"):
        _run("import urllib.request\nurllib.request.urlopen('http://example.com', timeout=5)")


def test_kernel_cannot_connect_to_a_public_address():
    with pytest.raises(CellExecutionError, match="network access is blocked"):
        _run("import socket\nsocket.create_connection(('8.8.8.8', 53), timeout=5)")


def test_kernel_still_uses_loopback():
    _run(
        "import socket\n"
        "server = socket.socket(); server.bind(('127.0.0.1', 0)); server.listen(1)\n"
        "client = socket.create_connection(server.getsockname(), timeout=5)\n"
        "client.close(); server.close()"
    )
