"""Settings shared by every test, including the notebook runs under nbval.

Kernels started by the tests get a private IPython directory whose start-up file cuts
the network (tests/support/no_network_startup.py).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent

# Checks the figures of every lesson cell under nbval (alt text, font size) and keeps the
# executed lessons for the site: tools/executed_notebooks.py.
pytest_plugins = ["executed_notebooks"]
_STARTUP = ROOT / "tests" / "support" / "no_network_startup.py"


def pytest_configure(config):
    ipython_dir = Path(tempfile.mkdtemp(prefix="course-ipython-"))
    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True)
    shutil.copy(_STARTUP, startup / "00-no-network.py")
    os.environ["IPYTHONDIR"] = str(ipython_dir)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    # The course's matrices are tiny: a BLAS thread pool costs more than it saves, and on a
    # shared 2-core machine it made chapter 09's batch-size cells 12x slower (8.8 s -> 0.7 s).
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    config._course_ipython_dir = ipython_dir


# -- the grader's sandbox (bubblewrap) -------------------------------------------------
# Tests marked ``sandbox`` need a working sandbox: skipped with the reason when there is
# none, except under CI=true (where .ci/run installs bubblewrap), where they fail.
def pytest_runtest_setup(item):
    if item.get_closest_marker("sandbox") is None:
        return
    from course_lib.grading.sandbox import Sandbox, SandboxUnavailable

    try:
        Sandbox().check()
    except SandboxUnavailable as exc:
        reason = f"no usable sandbox: {str(exc).split('. ')[0]}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}", pytrace=False)
        pytest.skip(reason)


def pytest_unconfigure(config):
    ipython_dir = getattr(config, "_course_ipython_dir", None)
    if ipython_dir is not None:
        shutil.rmtree(ipython_dir, ignore_errors=True)
