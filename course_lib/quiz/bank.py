"""The question bank: items in Korean and English with the same ids, loaded as :class:`Question`.

Data files (next to this module):

``bank_ko.json``, ``bank_en.json``
    ``items``: multiple-choice questions (``prompt``, ``choices``, ``answer`` = index of the
    right choice in the file, ``explanation``, ``chapter`` = the lesson it draws on or
    ``null``); ``numeric``: numeric questions whose ``prompt`` and ``explanation`` are
    templates (``{lr}``, ``{theta}``, ...).
``specs.json``
    ``specs``: for each numeric id, what to compute (``kind``, ``args``) and the
    significant ``digits`` the answer needs (no ``digits``: a whole number, exact).
    ``values``: numbers quoted in a multiple-choice item's text (``{ratio}``; an item may
    quote several), computed the same way.  An argument whose name starts with ``_`` sets
    up the computation and need not appear in the prompt.  Every number is computed by
    course_lib (:mod:`course_lib.quiz.numeric`) at load time, never typed in, and the text
    is filled from the same arguments, so the numbers a student reads are the numbers the
    answer was computed from.

The order of the choices in the files is the author's.  :func:`load_questions` shuffles it
with a seed so that the right answer sits at every position equally often (see
:func:`balanced_orders`).
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

#: The fixed topics, in course order: the exam topic sheets, plus chapter 10's scikit-learn.
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
    "sklearn": ("scikit-learn의 SGD와 MLP", "scikit-learn's SGD and MLP"),
    "large_batch": ("큰 배치와 분산 학습: LARS, LAMB", "large-batch and distributed: LARS, LAMB"),
    "gradient_flow": ("기울기 소실·폭발, 초기화, 정규화, 잔차 연결",
                      "vanishing and exploding gradients, initialisation, normalisation, "
                      "residual connections"),
    "backprop": ("역전파", "backpropagation"),
    "regularisation": ("규제와 일반화", "regularisation and generalisation"),
    "distributed": ("분산 학습과 메모리 효율 학습", "distributed and memory-efficient training"),
    "new_optimizers": (
        "새로운 옵티마이저: RAdam, Adafactor, 8비트, Lion, 스케줄 없는 방법, Shampoo",
        "newer optimizers: RAdam, Adafactor, 8-bit, Lion, schedule-free, Shampoo"),
    "outlook": ("전망: 2차 방법과 학습률 없는 방법",
                "outlook: second-order and learning-rate-free methods"),
}


def tolerance_for(answer: float, digits: int | None) -> float:
    """Largest accepted error for ``digits`` significant digits: one unit in the last one.

    ``digits=None`` means a whole number, exact (tolerance 0).  One unit rather than half a
    unit, so that a student who truncates (0.855 for 0.85568) is not marked wrong for it.

    Examples
    --------
    >>> tolerance_for(0.85528, 3)
    0.001
    >>> tolerance_for(691.0, None)
    0.0
    """
    if digits is None:
        return 0.0
    exponent = math.floor(math.log10(abs(answer))) if answer != 0 else 0
    return float(10.0 ** (exponent - int(digits) + 1))


def format_answer(value: float, digits: int | None) -> str:
    """The answer as the item asks for it: ``digits`` significant digits, or a whole number.

    Examples
    --------
    >>> format_answer(0.85528, 3), format_answer(0.9, 3), format_answer(9.5367e-07, 3)
    ('0.855', '0.900', '9.54e-7')
    >>> format_answer(691.0, None)
    '691'
    """
    if digits is None:
        return str(int(round(value)))
    s = f"{value:#.{int(digits)}g}"
    if "e" in s:
        mantissa, exp = s.split("e")
        return f"{mantissa.rstrip('.')}e{int(exp)}"
    return s.rstrip(".")


def precision_text(digits: int | None, lang: str | None = None) -> str:
    """The instruction a numeric prompt ends with, in ``lang``."""
    if digits is None:
        return text("정수로 답하십시오.", "Give a whole number.", lang=lang)
    return text(f"유효숫자 {digits}자리로 답하십시오(마지막 자리 ±1까지 정답).",
                f"Give {digits} significant digits (±1 in the last digit counts as right).",
                lang=lang)


def parse_number(response: Any) -> float | None:
    """A typed number as a float, or ``None`` if it is not one.

    Accepts what students type: spaces, thousands commas, the minus sign U+2212 copied
    from a prompt, ``1e-3``.
    """
    if response is None or isinstance(response, bool):
        return None
    s = str(response).strip().replace(",", "").replace("\u2212", "-").replace(" ", "")
    try:
        value = float(s)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


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
        A numeric item's prompt ends with the precision it needs (:func:`precision_text`).
    choices : tuple of str or None
        The options of a multiple-choice item; ``None`` for a numeric item.
    answer : int or float
        Index into ``choices`` (multiple choice) or the number (numeric).
    explanation : str
    tolerance : float or None
        Largest accepted absolute error of a numeric answer; ``None`` for multiple choice.
    digits : int or None
        Significant digits a numeric answer needs (``None``: a whole number, exact).
    chapter : str or None
        The lesson chapter the item draws on ("01" … "11"), or ``None`` for exam topics
        that have no lesson.
    """

    id: str
    topic: str
    prompt: str
    choices: tuple[str, ...] | None
    answer: int | float
    explanation: str
    tolerance: float | None = None
    digits: int | None = None
    chapter: str | None = None

    @property
    def is_numeric(self) -> bool:
        return self.choices is None

    def topic_name(self, lang: str | None = None) -> str:
        """The topic's display name in ``lang`` (default: the language in force)."""
        return text(*TOPICS[self.topic], lang=lang)

    def answer_text(self) -> str:
        """A numeric answer written to the precision the item asks for (numeric items only)."""
        if not self.is_numeric:
            raise TypeError(f"{self.id} is multiple choice: its answer is choices[answer]")
        return format_answer(float(self.answer), self.digits)

    def reordered(self, order: Any) -> Question:
        """A copy whose choice ``i`` is this item's choice ``order[i]`` (answer remapped)."""
        if self.is_numeric:
            return self
        order = [int(i) for i in order]
        if sorted(order) != list(range(len(self.choices))):
            raise ValueError(f"order must be a permutation of range({len(self.choices)}), "
                             f"got {order!r}")
        return replace(self, choices=tuple(self.choices[i] for i in order),
                       answer=order.index(int(self.answer)))

    def is_correct(self, response: Any) -> bool:
        """Whether ``response`` (a choice index, or a number / numeric string) is right.

        A missing or unreadable response (``None``, ``""``, ``"abc"``) is wrong, not an error:
        the widget passes whatever the student typed.  A number is right when it is within
        :attr:`tolerance`: one unit in the last of the :attr:`digits` the prompt asks for.
        """
        if response is None or (isinstance(response, str) and not response.strip()):
            return False
        if not self.is_numeric:
            return (not isinstance(response, bool) and isinstance(response, (int, np.integer))
                    and int(response) == self.answer)
        value = parse_number(response)
        if value is None:
            return False
        slack = 1e-9 * max(1.0, abs(self.answer))      # rounding of the typed decimal
        return abs(value - self.answer) <= self.tolerance + slack


def _fmt(value: Any) -> str:
    """Numbers as a student would write them: 0.001, 1e-8, 256; lists as (3, 4)."""
    if isinstance(value, (tuple, list)):
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


def _evaluate(spec: dict[str, Any]) -> dict[str, Any]:
    digits = spec.get("digits")
    if digits is not None and (isinstance(digits, bool) or not isinstance(digits, int)
                               or not 1 <= digits <= 8):
        raise ValueError(f"{spec['id']}: digits must be an integer in [1, 8], got {digits!r}")
    return {**spec, "value": compute(spec["kind"], spec["args"])}


@cache
def _computed() -> dict[str, dict[str, Any]]:
    """Numeric id -> its spec with the answer computed by course_lib."""
    return {spec["id"]: _evaluate(spec) for spec in _read("specs.json")["specs"]}


@cache
def _quoted() -> dict[str, list[dict[str, Any]]]:
    """Choice-item id -> the values its text quotes, computed by course_lib."""
    out: dict[str, list[dict[str, Any]]] = {}
    for spec in _read("specs.json").get("values", []):
        out.setdefault(spec["id"], []).append(_evaluate(spec))
    return out


def _fields(spec: dict[str, Any]) -> dict[str, str]:
    fields = {k: _fmt(v) for k, v in spec["args"].items()}
    if "name" in spec:                                 # a value quoted in a text
        fields[spec["name"]] = format_answer(spec["value"], spec.get("digits"))
    return fields


def _numeric_question(item: dict[str, Any], lang: str) -> Question:
    try:
        spec = _computed()[item["id"]]
    except KeyError:
        raise KeyError(f"numeric item {item['id']!r} has no entry in specs.json") from None
    fields, digits = _fields(spec), spec.get("digits")
    if digits is None and not float(spec["value"]).is_integer():
        raise ValueError(f"{item['id']}: an exact (no digits) answer must be a whole number, "
                         f"got {spec['value']!r}")
    prompt = item["prompt"].format(**fields) + " " + precision_text(digits, lang)
    return Question(id=item["id"], topic=item["topic"], prompt=prompt, choices=None,
                    answer=spec["value"], explanation=item["explanation"].format(**fields),
                    tolerance=tolerance_for(spec["value"], digits), digits=digits,
                    chapter=item.get("chapter"))


def _choice_question(item: dict[str, Any]) -> Question:
    prompt, choices, explanation = item["prompt"], list(item["choices"]), item["explanation"]
    specs = _quoted().get(item["id"])
    if specs:                                          # numbers quoted in the text
        fields = {k: v for spec in specs for k, v in _fields(spec).items()}
        prompt, explanation = prompt.format(**fields), explanation.format(**fields)
        choices = [c.format(**fields) for c in choices]
    return Question(id=item["id"], topic=item["topic"], prompt=prompt, choices=tuple(choices),
                    answer=int(item["answer"]), explanation=explanation,
                    chapter=item.get("chapter"))


@cache
def _bank(lang: str) -> tuple[Question, ...]:
    """Every item of one language in the files' order, choices as the author wrote them."""
    data = _read(f"bank_{lang}.json")
    return tuple([_choice_question(it) for it in data["items"]]
                 + [_numeric_question(it, lang) for it in data["numeric"]])


def balanced_orders(n_choices: list[int], answers: list[int], seed: int) -> list[list[int]]:
    """Choice orders that put the right answers at every position equally often.

    Items are grouped by their number of choices k.  Within a group of m items the answer
    positions are ``m // k`` copies of ``0 … k−1`` plus ``m % k`` distinct positions drawn
    at random, dealt out in a random order; the other choices fill the remaining positions
    in a random order.  So each position holds the right answer ``m // k`` or
    ``m // k + 1`` times in each group, whatever the seed, and which item gets which
    position changes with the seed.

    Parameters
    ----------
    n_choices : list of int
        Number of choices of each item.
    answers : list of int
        Index of each item's right choice in its own order.
    seed : int
        Seed of ``np.random.default_rng``.

    Returns
    -------
    list of list of int
        For each item, ``order`` such that its new choice ``i`` is its old choice ``order[i]``.

    Examples
    --------
    >>> orders = balanced_orders([4] * 8, [1] * 8, seed=0)
    >>> sorted(order.index(1) for order in orders)
    [0, 0, 1, 1, 2, 2, 3, 3]
    """
    rng = np.random.default_rng(seed)
    orders: list[list[int]] = [[] for _ in n_choices]
    for k in sorted(set(n_choices)):
        members = [i for i, c in enumerate(n_choices) if c == k]
        m = len(members)
        targets = np.concatenate([np.tile(np.arange(k), m // k),
                                  rng.choice(k, size=m % k, replace=False)])
        for i, target in zip(members, rng.permutation(targets), strict=True):
            others = [c for c in rng.permutation(k) if c != answers[i]]
            others.insert(int(target), answers[i])
            orders[i] = [int(c) for c in others]
    return orders


def load_questions(lang: str | None = None, topic: str | None = None,
                   seed: int | None = 0) -> list[Question]:
    """Load the question bank in one language.

    Parameters
    ----------
    lang : {"ko", "en"} or None, default=None
        The language; ``None`` uses the language in force (:func:`course_lib.set_language`).
    topic : str or None, default=None
        Keep only the items of one topic (a key of :data:`TOPICS`).
    seed : int or None, default=0
        Seed of the order of the choices (:func:`balanced_orders`): over the whole bank
        each position holds the right answer equally often (±1 per group of items with
        the same number of choices).  The same seed gives the same order in both
        languages, whatever ``topic``.  ``None`` keeps the order the files are written in
        (for editing the bank, not for quizzing: there it tells nothing).

    Returns
    -------
    list of Question
        Multiple-choice items first, then numeric items, in bank order.  Numeric answers
        are computed by course_lib when the bank is first loaded.

    Examples
    --------
    >>> qs = load_questions("en")
    >>> len(qs) >= 150
    True
    >>> q = next(q for q in qs if q.id == "nu14")
    >>> round(q.answer, 6)           # the linear scaling rule: 0.001 * 256 / 32
    0.008
    """
    lang = resolve(lang)
    if topic is not None and topic not in TOPICS:
        raise ValueError(f"topic must be one of {list(TOPICS)} or None, got {topic!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))
                             or seed < 0):
        raise ValueError(f"seed must be an integer >= 0 or None, got {seed!r}")
    questions = list(_bank(lang))
    if seed is not None:
        choice_items = [i for i, q in enumerate(questions) if not q.is_numeric]
        orders = balanced_orders([len(questions[i].choices) for i in choice_items],
                                 [int(questions[i].answer) for i in choice_items], int(seed))
        for i, order in zip(choice_items, orders, strict=True):
            questions[i] = questions[i].reordered(order)
    return [q for q in questions if topic is None or q.topic == topic]
