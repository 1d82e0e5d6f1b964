"""Checks on the repository's notebooks and dependency lists, shared by the tests.

Each function returns a list of human-readable problems (empty when all is well), so a
test can assert on it and the tests of the tests can feed it broken input.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

import yaml

# The single line allowed to differ between the Korean and English code cells.
LANGUAGE_LINE = re.compile(r"""^\s*set_language\(\s*["'](ko|en)["']\s*\)\s*$""")
# Figure descriptions, one per figure in the edition's language (tools/build_notebooks.py).
ALT_PREFIX = "# alt:"


def load_notebook(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def code_cells(nb: dict) -> list[str]:
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def _without_alt_lines(source: str) -> str:
    return "\n".join(line for line in source.splitlines() if not line.startswith(ALT_PREFIX))


def _without_language_line(source: str) -> list[str]:
    return [line for line in source.splitlines() if not LANGUAGE_LINE.match(line)]


def code_cell_differences(ko_nb: dict, en_nb: dict, name: str = "") -> list[str]:
    """Code cells must be identical apart from one ``set_language("ko"|"en")`` line and the
    ``# alt:`` figure descriptions (one per figure, as many in each edition)."""
    ko_cells, en_cells = code_cells(ko_nb), code_cells(en_nb)
    if len(ko_cells) != len(en_cells):
        return [f"{name}: {len(ko_cells)} code cells in ko but {len(en_cells)} in en"]
    problems = []
    language_lines = 0
    for i, (ko, en) in enumerate(zip(ko_cells, en_cells, strict=True)):
        ko_alts = sum(line.startswith(ALT_PREFIX) for line in ko.splitlines())
        en_alts = sum(line.startswith(ALT_PREFIX) for line in en.splitlines())
        if ko_alts != en_alts:
            problems.append(f"{name}: code cell {i} has {ko_alts} alt lines in ko, {en_alts} in en")
        ko, en = _without_alt_lines(ko), _without_alt_lines(en)
        if ko == en:
            continue
        if _without_language_line(ko) != _without_language_line(en):
            problems.append(f"{name}: code cell {i} differs between ko and en")
        else:
            language_lines += 1
    if language_lines > 1:
        problems.append(f"{name}: {language_lines} code cells differ; only one language line may")
    return problems


def edition_differences(ko_dir: Path, en_dir: Path) -> list[str]:
    """Both editions hold the same notebooks with the same code."""
    ko = {p.name for p in Path(ko_dir).glob("*.ipynb")}
    en = {p.name for p in Path(en_dir).glob("*.ipynb")}
    problems = [f"only in ko: {n}" for n in sorted(ko - en)]
    problems += [f"only in en: {n}" for n in sorted(en - ko)]
    for n in sorted(ko & en):
        problems += code_cell_differences(
            load_notebook(Path(ko_dir) / n), load_notebook(Path(en_dir) / n), n
        )
    return problems


def output_problems(nb: dict, name: str = "") -> list[str]:
    """Committed notebooks carry no outputs and no execution counts."""
    problems = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"{name}: cell {i} has outputs")
        if cell.get("execution_count") is not None:
            problems.append(f"{name}: cell {i} has an execution count")
    return problems


_REQ = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$")


def _parse_requirement(text: str) -> tuple[str, str]:
    """'numpy>=1.24' -> ('numpy', '>=1.24'); names normalised as PEP 503 does."""
    match = _REQ.match(text.split(";")[0])
    if not match:
        raise ValueError(f"cannot parse requirement {text!r}")
    name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
    spec = ",".join(
        sorted(part.strip() for part in match.group(2).replace(" ", "").split(",") if part)
    )
    return name, spec


def pyproject_requirements(text: str) -> dict[str, str]:
    project = tomllib.loads(text)["project"]
    reqs = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        reqs += extra
    return dict(_parse_requirement(r) for r in reqs)


def environment_requirements(text: str) -> dict[str, str]:
    """Conda and pip entries of environment.yml, except python, pip and the course itself."""
    env = yaml.safe_load(text)
    reqs: dict[str, str] = {}
    for dep in env.get("dependencies", []):
        entries = dep.get("pip", []) if isinstance(dep, dict) else [dep]
        for entry in entries:
            if entry.startswith("-"):
                continue
            name, spec = _parse_requirement(entry)
            if name not in ("python", "pip"):
                reqs[name] = spec
    return reqs


def dependency_differences(pyproject_text: str, environment_text: str) -> list[str]:
    """pyproject.toml and environment.yml must name the same packages with the same bounds."""
    py = pyproject_requirements(pyproject_text)
    env = environment_requirements(environment_text)
    problems = [
        f"{n} is in pyproject.toml but not in environment.yml"
        for n in sorted(py.keys() - env.keys())
    ]
    problems += [
        f"{n} is in environment.yml but not in pyproject.toml"
        for n in sorted(env.keys() - py.keys())
    ]
    for n in sorted(py.keys() & env.keys()):
        if py[n] != env[n]:
            problems.append(f"{n}: pyproject.toml says {py[n]!r}, environment.yml says {env[n]!r}")
    for n, spec in py.items():
        if "==" in spec:
            problems.append(f"{n} is pinned exactly ({spec}); use a lower bound")
        if ">=" not in spec:
            problems.append(f"{n} has no lower bound")
    return problems
