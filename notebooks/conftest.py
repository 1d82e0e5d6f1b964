"""Checks on the lessons that need no second execution: they read what nbval already ran.

One language per edition: while nbval runs a cell of a Korean lesson, the lines the cell
printed must hold Korean unless they are numbers, code or names
(tools/output_language.py says which lines are prose).
"""

from __future__ import annotations

import pytest
from output_language import english_lines


def _stdout(item) -> str:
    outputs = getattr(item, "test_outputs", None) or []
    return "".join(o.get("text", "") for o in outputs
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    if item.path.parent.name == "ko":
        english = english_lines(_stdout(item))
        if english:
            raise AssertionError(
                "a Korean lesson printed English (print through course_lib.text / term):\n"
                + "\n".join(f"    {line}" for line in english))
    return result
