"""Checks that exercise test cells call: instant, bilingual feedback that names what is wrong.

A failed check raises :class:`CheckFailed` (an ``AssertionError``) whose message says which
input was used, what was expected and what came back, and gives a hint, Korean line first,
English line beneath. It never shows the reference code, only values.

The same calls work in two places:

* in the student's own kernel (self-study, nbval, nbgrader's autograde), with the student's
  functions;
* in the course grader (:mod:`course_lib.grading.runner`), which runs the test cell in its
  own clean process and hands in proxies whose calls run in the student's kernel and
  come back as plain data. That is why every comparison here works on values only
  (NumPy arrays, numbers, strings, tuples) and copies inputs before every call.

Examples
--------
>>> from course_lib.grading.checks import check_close
>>> check_close("lr", 0.1, 0.1)
✓ lr: 통과 / passed
"""

from __future__ import annotations

import copy
import math
import sysconfig
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "CheckFailed",
    "check_close",
    "check_equal",
    "check_function",
    "check_raises",
    "check_true",
]

_MAX_REPR = 300


class CheckFailed(AssertionError):
    """A check found a wrong answer; the message is the feedback (Korean, then English).

    In a notebook IPython shows only the message (:meth:`_render_traceback_`), not the
    frames of this module: the feedback is what a student needs, the library's call stack is
    not.  The exception itself is an ordinary ``AssertionError``, so nbval, nbgrader and the
    course grader still see a failed test.
    """

    def _render_traceback_(self) -> list[str]:
        first, *rest = str(self).splitlines() or [""]
        return [f"\x1b[1;31m{first}\x1b[0m", *rest]


def _short(value: Any) -> str:
    """Return a one-line, length-capped representation of a value for feedback."""
    if isinstance(value, np.ndarray):
        # 6 significant digits, without the padding NumPy adds to line columns up
        text = np.array2string(value, separator=", ", threshold=20,
                               formatter={"float_kind": _number})
    elif isinstance(value, tuple | list) and len(value) <= 10:
        inner = ", ".join(_short(v) for v in value)
        if isinstance(value, tuple):
            text = f"({inner},)" if len(value) == 1 else f"({inner})"
        else:
            text = f"[{inner}]"
    else:
        text = repr(value)
    text = " ".join(text.split())
    return text if len(text) <= _MAX_REPR else text[: _MAX_REPR - 3] + "..."


def _number(x: float) -> str:
    return repr(float(f"{x:.6g}"))


def _call_text(name: str, inputs: Mapping[str, Any] | Sequence[Any] | None) -> str:
    if inputs is None:
        return name
    if isinstance(inputs, Mapping):
        args = ", ".join(f"{k}={_short(v)}" for k, v in inputs.items())
    else:
        args = ", ".join(_short(v) for v in inputs)
    return f"{name}({args})"


def _fail(what: str, ko: str, en: str, hint: str | None) -> CheckFailed:
    return _fail_lines(what, [f"  {ko}", f"  {en}"], hint)


def _fail_lines(what: str, lines: list[str], hint: str | None) -> CheckFailed:
    if hint:
        lines = [*lines, f"  힌트 / hint: {hint}"]
    return CheckFailed("\n".join([f"✗ {what}", *lines]))


#: One wrong part of a result: where it sits ("" for the whole result, else "new_w" or
#: "[1]"), what differs (Korean, English), and the received and expected part.
Wrong = tuple[str, str, str, Any, Any]


def _part_names(count: int, returns: Sequence[str] | None) -> list[str]:
    if returns is not None and len(returns) == count:
        return list(returns)
    return [f"[{i}]" for i in range(count)]


def _join(where: str, part: str) -> str:
    """``clipped_grads`` + ``[0]`` -> ``clipped_grads[0]``."""
    return f"{where}{part}" if where else part


def _mismatches(got: Any, expected: Any, rtol: float, atol: float,
                returns: Sequence[str] | None = None, where: str = "") -> list[Wrong]:
    """Every part of ``got`` that differs from ``expected`` (empty list when all agree).

    Tuples and lists are compared part by part, so a result with two wrong parts reports
    both; ``returns`` names the parts of the top-level result (``("new_w", "new_buf")``).
    """
    named = returns is not None and isinstance(expected, tuple | list) \
        and len(returns) == len(expected)
    if named or (isinstance(expected, tuple | list) and not _is_numeric_sequence(expected)):
        listed = f" ({', '.join(returns)})" if returns else ""
        if not isinstance(got, tuple | list):
            return [(where, f"값 {len(expected)}개{listed}를 튜플로 돌려줘야 합니다.",
                     f"should return {len(expected)} values{listed} as a tuple.", got, expected)]
        if len(got) != len(expected):
            return [(where, f"값 {len(expected)}개{listed}가 필요한데 {len(got)}개를 받았습니다.",
                     f"expected {len(expected)} items{listed}, got {len(got)}.", got, expected)]
        found: list[Wrong] = []
        for part, g, e in zip(_part_names(len(expected), returns), got, expected, strict=True):
            found += _mismatches(g, e, rtol, atol, where=_join(where, part))
        if found and not named and isinstance(expected, list) and not any(
                isinstance(e, tuple | list | np.ndarray) for e in expected):
            # a list of names or flags is one value: show it whole, not item by item
            return [(where, "값이 다릅니다.", "the value differs.", got, expected)]
        return found
    if expected is None or isinstance(expected, str | bool):
        if type(got) is not type(expected) or got != expected:
            return [(where, "값이 다릅니다.", "the value differs.", got, expected)]
        return []
    numeric = _numeric_mismatch(got, expected, rtol, atol)
    return [(where, *numeric, got, expected)] if numeric else []


def _is_numeric_sequence(value: Sequence[Any]) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)


def _numeric_mismatch(got: Any, expected: Any, rtol: float, atol: float) -> tuple[str, str] | None:
    # NumPy turns None into nan: say "differs", not "contains nan", when a None came back
    if got is None or (isinstance(got, tuple | list) and any(v is None for v in got)):
        return ("값이 다릅니다.", "the value differs.")
    want = np.asarray(expected, dtype=float)
    try:
        have = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return ("숫자 또는 NumPy 배열이 아닙니다.", "not a number or NumPy array.")
    if have.shape != want.shape:
        return (
            f"모양(shape)이 {want.shape}이어야 하는데 {have.shape}입니다.",
            f"shape should be {want.shape}, got {have.shape}.",
        )
    if not np.all(np.isfinite(have)) and np.all(np.isfinite(want)):
        return ("nan 또는 inf가 들어 있습니다.", "contains nan or inf.")
    if not np.allclose(have, want, rtol=rtol, atol=atol):
        worst = float(np.max(np.abs(have - want))) if have.size else 0.0
        ko = f"값이 다릅니다 (최대 차이 {worst:.3g})."
        return ko, f"values differ (largest gap {worst:.3g})."
    return None


def _mismatch_failure(what: str, wrong: list[Wrong], hint: str | None) -> CheckFailed:
    """Feedback with two lines (Korean, English) per wrong part, then the hint."""
    lines = []
    for where, ko, en, got, expected in wrong:
        label = f"{where}: " if where else ""
        want, have = _short(expected), _short(got)
        lines += [f"  {label}{ko} 기대값 {want}, 받은 값 {have}",
                  f"  {' ' * len(label)}{en} expected {want}, got {have}"]
    return _fail_lines(what, lines, hint)


def check_close(
    name: str,
    got: Any,
    expected: Any,
    *,
    inputs: Mapping[str, Any] | Sequence[Any] | None = None,
    hint: str | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    returns: Sequence[str] | None = None,
) -> None:
    """Check that ``got`` equals ``expected`` within tolerances (numbers, arrays, tuples).

    Parameters
    ----------
    name : str
        What is checked, shown in the feedback (usually the function's name).
    got, expected : number, array, str, tuple or list of these
        The student's value and the right one. Shapes must match exactly.
    inputs : mapping or sequence, optional
        The arguments that produced ``got``, shown in the feedback.
    hint : str, optional
        A nudge shown on failure; it must not give the answer away.
    rtol, atol : float
        Tolerances of :func:`numpy.allclose`.
    returns : sequence of str, optional
        Names of the parts of a tuple result, as the exercise names them
        (``("new_w", "new_buf")``); feedback then says ``new_buf`` rather than ``[1]``.

    Raises
    ------
    CheckFailed
        With a message naming the input and, for every wrong part, the expected and the
        received value.
    """
    check_close_quiet(name, got, expected, inputs=inputs, hint=hint, rtol=rtol, atol=atol,
                      returns=returns)
    print(f"✓ {name}: 통과 / passed")


def check_equal(name: str, got: Any, expected: Any, **kwargs: Any) -> None:
    """Check exact equality (tolerance zero); same arguments as :func:`check_close`."""
    check_close(name, got, expected, rtol=0.0, atol=0.0, **kwargs)


def check_true(name: str, condition: Any, *, ko: str, en: str, hint: str | None = None) -> None:
    """Check a condition that is not a value comparison; ``ko``/``en`` say what should hold."""
    if condition is not True and not (isinstance(condition, np.bool_) and bool(condition)):
        raise _fail(name, ko, en, hint)
    print(f"✓ {name}: 통과 / passed")


def _split_case(case: Any) -> tuple[dict[str, Any], Any]:
    if isinstance(case, Mapping):
        return dict(case), None
    if isinstance(case, tuple) and len(case) == 2 and isinstance(case[0], Mapping):
        return dict(case[0]), case[1]
    raise TypeError("each case must be a dict of keyword arguments or a (kwargs, expected) pair")


def check_function(
    func: Callable[..., Any],
    cases: Sequence[Any],
    reference: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    hint: str | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    returns: Sequence[str] | None = None,
) -> None:
    """Call ``func`` on every case and compare with the expected value of that case.

    Parameters
    ----------
    func : callable
        The student's function.
    cases : sequence
        Each case is a dict of keyword arguments (expected value from ``reference``) or a
        pair ``(kwargs, expected)``.
    reference : callable, optional
        Computes the expected value from the same keyword arguments (hidden tests only:
        a visible reference would give the answer away).
    name : str, optional
        Name shown in feedback; defaults to ``func.__name__``.
    hint, rtol, atol, returns
        As in :func:`check_close`.

    Raises
    ------
    CheckFailed
        On the first case that fails, or when ``func`` raises.
    """
    label = name or getattr(func, "__name__", "function")
    for case in cases:
        kwargs, expected = _split_case(case)
        if reference is not None:
            expected = reference(**copy.deepcopy(kwargs))
        got = _call(func, label, kwargs, hint)
        check_close_quiet(label, got, expected, inputs=kwargs, hint=hint, rtol=rtol, atol=atol,
                          returns=returns)
    print(f"✓ {label}: 사례 {len(cases)}개 통과 / {len(cases)} case(s) passed")


def check_close_quiet(name: str, got: Any, expected: Any, **kwargs: Any) -> None:
    """Like :func:`check_close` (same keyword arguments) but prints nothing on success."""
    returns = kwargs.get("returns")
    wrong = _mismatches(got, expected, kwargs.get("rtol", 1e-6), kwargs.get("atol", 1e-9),
                        returns)
    if wrong:
        raise _mismatch_failure(_call_text(name, kwargs.get("inputs")), wrong, kwargs.get("hint"))


def _call(func: Callable[..., Any], label: str, kwargs: dict[str, Any], hint: str | None) -> Any:
    try:
        return func(**copy.deepcopy(kwargs))
    except CheckFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - any error in student code is feedback
        if "NotImplementedError" in _raised_kind(exc):
            raise _fail(
                _call_text(label, kwargs),
                "아직 구현되지 않았습니다 (NotImplementedError).",
                "not implemented yet (NotImplementedError).",
                None,
            ) from None
        lines = [f"  함수가 오류를 냈습니다: {type(exc).__name__}: {exc}",
                 f"  the function raised {type(exc).__name__}: {exc}"]
        frame = _students_frame(exc)
        if frame is not None:  # where in the student's own code, since no traceback is shown
            lines.append(f"  {frame.name}, 줄 / line {frame.lineno}: {frame.line}")
        raise _fail_lines(_call_text(label, kwargs), lines, hint) from None


def _library_folders() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    folders = {str(Path(__file__).resolve().parents[1])}  # course_lib
    folders |= {str(Path(paths[k]).resolve()) for k in ("stdlib", "purelib", "platlib")}
    return tuple(folders)


def _students_frame(exc: BaseException) -> traceback.FrameSummary | None:
    """The innermost frame of ``exc`` in code that is not a library's (the student's cell)."""
    library = _library_folders()
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not str(Path(f.filename).resolve()).startswith(library)]
    return frames[-1] if frames and frames[-1].line else None


def _raised_kind(exc: BaseException) -> list[str]:
    names = getattr(exc, "remote_types", None)  # an error raised in the student's kernel
    return list(names) if names else [cls.__name__ for cls in type(exc).__mro__]


def check_raises(
    exc_type: type[BaseException],
    func: Callable[..., Any],
    /,
    *args: Any,
    name: str | None = None,
    hint: str | None = None,
    **kwargs: Any,
) -> None:
    """Check that ``func(*args, **kwargs)`` raises ``exc_type`` (or a subclass).

    Examples
    --------
    >>> import math
    >>> check_raises(ValueError, math.sqrt, -1.0)
    ✓ sqrt: 통과 / passed
    """
    label = name or getattr(func, "__name__", "function")
    shown = _call_text(label, list(args) + [f"{k}={v!r}" for k, v in kwargs.items()])
    try:
        func(*copy.deepcopy(args), **copy.deepcopy(kwargs))
    except Exception as exc:  # noqa: BLE001
        if exc_type.__name__ in _raised_kind(exc):
            print(f"✓ {label}: 통과 / passed")
            return
        raise _fail(
            shown,
            f"{exc_type.__name__}이(가) 나와야 하는데 {type(exc).__name__}: {exc}",
            f"expected {exc_type.__name__}, got {type(exc).__name__}: {exc}",
            hint,
        ) from None
    raise _fail(
        shown,
        f"{exc_type.__name__} 오류가 나와야 하는데 아무 오류도 없었습니다.",
        f"expected {exc_type.__name__}, but nothing was raised.",
        hint,
    )


def is_finite_number(value: Any) -> bool:
    """Return True for a real, finite Python or NumPy number (bools excluded)."""
    if isinstance(value, bool | np.bool_):
        return False
    return isinstance(value, int | float | np.integer | np.floating) and math.isfinite(value)
