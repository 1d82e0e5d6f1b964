"""The question bank: items in Korean and English with the same ids, loaded as :class:`Question`.

Data files (next to this module):

``bank_ko.json``, ``bank_en.json``
    ``items``: multiple-choice questions (``prompt``, ``choices``, ``answer`` = index of the
    right choice, ``explanation``); ``numeric``: numeric questions whose ``prompt`` and
    ``explanation`` are templates (``{lr}``, ``{answer}``).
``specs.json``
    For each numeric id, what to compute (``kind``, ``args``) and the ``tolerance``.  The
    answer is computed by course_lib (:mod:`course_lib.quiz.numeric`) at load time, never
    typed in, and the prompt is filled from the same arguments, so the numbers a student
    reads are the numbers the answer was computed from.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from course_lib.i18n import resolve, text
from course_lib.quiz.numeric import compute

HERE = Path(__file__).resolve().parent

#: The fixed topics, in course order (one exam topic sheet each).
TOPICS: dict[str, tuple[str, str]] = {
    "overview": ("경사 하강법 개요", "gradient descent overview"),
    "batch": ("배치·확률적·미니배치", "batch, stochastic and mini-batch"),
    "lr_schedule": ("학습률 스케줄링", "learning-rate scheduling"),
    "momentum": ("모멘텀과 네스테로프 모멘텀", "momentum and Nesterov momentum"),
    "adaptive": ("AdaGrad와 RMSprop", "AdaGrad and RMSprop"),
    "adam": ("Adam과 AdamW", "Adam and AdamW"),
    "convergence": ("수렴, 모니터링, 기울기 클리핑", "convergence, monitoring and clipping"),
    "tuning": ("튜닝: 학습률 범위 테스트와 선형 스케일링",
               "tuning: LR range test and linear scaling"),
    "large_batch": ("큰 배치와 분산 학습: LARS, LAMB", "large-batch and distributed: LARS, LAMB"),
    "outlook": ("전망: 2차 방법, 학습률 없는 방법", "outlook: second-order and learning-rate-free"),
}


@dataclass(frozen=True)
class Question:
    """One quiz item.

    Attributes
    ----------
    id : str
        Identical in both languages.
    topic : str
        A key of :data:`TOPICS`.
    prompt : str
    choices : tuple of str or None
        The options of a multiple-choice item; ``None`` for a numeric item.
    answer : int or float
        Index into ``choices`` (multiple choice) or the number (numeric).
    explanation : str
    tolerance : float or None
        Largest accepted absolute error of a numeric answer; ``None`` for multiple choice.
    """

    id: str
    topic: str
    prompt: str
    choices: tuple[str, ...] | None
    answer: int | float
    explanation: str
    tolerance: float | None = None

    @property
    def is_numeric(self) -> bool:
        return self.choices is None

    def topic_name(self, lang: str | None = None) -> str:
        """The topic's display name in ``lang`` (default: the language in force)."""
        return text(*TOPICS[self.topic], lang=lang)

    def shuffled(self, rng: np.random.Generator) -> Question:
        """A copy with the choices in a random order (answer index remapped); numeric: self.

        The bank puts the right answer at many positions but not uniformly; the widget
        shuffles so that guessing by position does not pay.
        """
        if self.is_numeric:
            return self
        order = rng.permutation(len(self.choices))
        return replace(self, choices=tuple(self.choices[i] for i in order),
                       answer=int(np.flatnonzero(order == self.answer)[0]))

    def is_correct(self, response: Any) -> bool:
        """Whether ``response`` (a choice index, or a number / numeric string) is right.

        A missing or unreadable response (``None``, ``""``, ``"abc"``) is wrong, not an error:
        the widget passes whatever the student typed.
        """
        if response is None or (isinstance(response, str) and not response.strip()):
            return False
        if not self.is_numeric:
            return not isinstance(response, bool) and response == self.answer
        try:
            value = float(str(response).replace(",", "").strip())
        except ValueError:
            return False
        return math.isfinite(value) and abs(value - self.answer) <= self.tolerance + 1e-12


def _fmt(value: Any) -> str:
    """Numbers as a student would write them: 0.001, 1e-8, 256."""
    if isinstance(value, tuple):
        return "(" + ", ".join(_fmt(v) for v in value) + ")"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if float(value).is_integer() and abs(value) < 1e6:
        return str(int(value))
    s = f"{value:g}"
    if "e" in s:
        mantissa, exp = s.split("e")
        s = f"{mantissa}e{int(exp)}"
    return s


@cache
def _read(name: str) -> dict[str, Any]:
    with open(HERE / name, encoding="utf-8") as f:
        return json.load(f)


@cache
def _numeric_answers() -> dict[str, tuple[float, float, dict[str, Any]]]:
    """id -> (answer computed by course_lib, tolerance, args)."""
    out = {}
    for spec in _read("specs.json")["specs"]:
        answer = compute(spec["kind"], spec["args"])
        out[spec["id"]] = (answer, float(spec["tolerance"]), spec["args"])
    return out


def _numeric_question(item: dict[str, Any]) -> Question:
    try:
        answer, tolerance, args = _numeric_answers()[item["id"]]
    except KeyError:
        raise KeyError(f"numeric item {item['id']!r} has no entry in specs.json") from None
    fields = {k: _fmt(v) for k, v in args.items()}
    fields["answer"] = f"{answer:.6g}"
    return Question(id=item["id"], topic=item["topic"], prompt=item["prompt"].format(**fields),
                    choices=None, answer=answer,
                    explanation=item["explanation"].format(**fields), tolerance=tolerance)


def load_questions(lang: str | None = None, topic: str | None = None) -> list[Question]:
    """Load the question bank in one language.

    Parameters
    ----------
    lang : {"ko", "en"} or None, default=None
        The language; ``None`` uses the language in force (:func:`course_lib.set_language`).
    topic : str or None, default=None
        Keep only the items of one topic (a key of :data:`TOPICS`).

    Returns
    -------
    list of Question
        Multiple-choice items first, then numeric items, in bank order.  Numeric answers
        are computed by course_lib when the bank is first loaded.

    Examples
    --------
    >>> qs = load_questions("en")
    >>> len(qs) >= 60
    True
    >>> q = next(q for q in qs if q.id == "nu14")
    >>> round(q.answer, 6)           # the linear scaling rule: 0.001 * 256 / 32
    0.008
    """
    lang = resolve(lang)
    if topic is not None and topic not in TOPICS:
        raise ValueError(f"topic must be one of {list(TOPICS)} or None, got {topic!r}")
    data = _read(f"bank_{lang}.json")
    questions = [
        Question(id=it["id"], topic=it["topic"], prompt=it["prompt"],
                 choices=tuple(it["choices"]), answer=int(it["answer"]),
                 explanation=it["explanation"])
        for it in data["items"]
    ]
    questions += [_numeric_question(it) for it in data["numeric"]]
    return [q for q in questions if topic is None or q.topic == topic]
