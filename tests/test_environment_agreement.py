"""environment.yml (conda / Binder) and pyproject.toml (pip) must list the same packages."""

from pathlib import Path

from repo_checks import dependency_differences

ROOT = Path(__file__).resolve().parents[1]


def test_environment_yml_agrees_with_pyproject():
    problems = dependency_differences(
        (ROOT / "pyproject.toml").read_text(encoding="utf-8"),
        (ROOT / "environment.yml").read_text(encoding="utf-8"),
    )
    assert problems == []
