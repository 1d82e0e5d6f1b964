"""Set up the course and open it, or set it up and test it: one command each.

    python3 course.py lab     # 설치 후 JupyterLab 열기 / install, then open JupyterLab
    python3 course.py test    # 설치 후 전체 테스트 / install, then run the whole test suite
    python3 course.py site    # 설치 후 웹사이트 만들기 / install, then build the website

Needs only Python 3.10+ with the standard library: it makes a virtual environment in
``.venv`` beside this file, installs the course into it (skipped when pyproject.toml has
not changed since the last install), and runs JupyterLab or pytest from there.  Extra
arguments after ``test`` go to pytest (``python3 course.py test tests/test_fonts.py``); after
``lab`` they go to JupyterLab (``python3 course.py lab --port 8899``); after ``site`` to
``tools/build_site.py`` (``--out DIR``).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".course-installed"

# The test command: unit tests, parity tests, the grader, and every lesson and solution
# notebook under nbval (options in pyproject.toml's [tool.pytest.ini_options]).
PYTEST_PATHS = ["tests", "notebooks", "solutions"]


def _run(cmd: list[str], **kwargs) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, **kwargs)


def ensure_environment(extras: str, also: tuple[str, ...] = ()) -> None:
    """Create .venv and install the course with ``extras`` unless already done (or done with
    one of the ``also`` extras, which include everything ``extras`` needs)."""
    if sys.version_info < (3, 10):  # noqa: UP036 (run by any python3)
        sys.exit(f"The course needs Python 3.10 or newer; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        print(f"Creating a virtual environment in {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    def stamp(name: str) -> str:
        return hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + name.encode()).hexdigest()

    wanted = stamp(extras)
    installed = STAMP.read_text().split() if STAMP.exists() else []
    if any(stamp(name) in installed for name in (extras, *also)):
        return
    _run([PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    target = f".[{extras}]" if extras else "."
    _run([PYTHON, "-m", "pip", "install", "--quiet", "-e", target], cwd=ROOT)
    STAMP.write_text("\n".join([*installed, wanted]) + "\n")


def environment() -> dict[str, str]:
    """The virtual environment's bin/ first on PATH (nbgrader calls `alembic` by name)."""
    env = dict(os.environ)
    env["PATH"] = str(BIN) + os.pathsep + env.get("PATH", "")
    env["VIRTUAL_ENV"] = str(VENV)
    # The course's matrices are tiny: a BLAS thread pool costs more than it saves (on a 2-core
    # machine chapter 09's batch-size cells ran 12x slower with it). Kernels inherit this.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    return env


def lab(extra: list[str]) -> int:
    ensure_environment("")
    cmd = [
        BIN / "jupyter",
        "lab",
        f"--ServerApp.root_dir={ROOT}",
        "--ServerApp.default_url=/lab/tree/notebooks",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # JupyterLab refuses to start as root without it
    return subprocess.call([str(c) for c in cmd + extra], env=environment(), cwd=ROOT)


def test(extra: list[str]) -> int:
    ensure_environment("test")
    # Paths given on the command line replace the default ones (tests, notebooks, solutions).
    given = any((ROOT / a.split("::")[0]).exists() for a in extra if not a.startswith("-"))
    paths = [] if given else PYTEST_PATHS
    cmd = [str(PYTHON), "-m", "pytest", *paths, *extra]
    return subprocess.call(cmd, env=environment(), cwd=ROOT)


def site(extra: list[str]) -> int:
    # The test extra holds the site's packages too (CI builds and tests the site).
    ensure_environment("site", also=("test",))
    cmd = [str(PYTHON), str(ROOT / "tools" / "build_site.py"), *extra]
    return subprocess.call(cmd, env=environment(), cwd=ROOT)


def main(argv: list[str]) -> int:
    commands = {"lab": lab, "test": test, "site": site}
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
