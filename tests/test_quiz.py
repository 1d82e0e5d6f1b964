"""The quiz bank (course_lib.quiz): coverage, identical ids in both languages, options that do
not give the answer away by their length or position, numeric answers computed by course_lib
that agree with hand formulas and reject the misconceptions, and the precision a numeric
item states is the precision it accepts.

Each balance check is a function, shown failing on a planted unbalanced bank in this file.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from course_lib.quiz import TOPICS, load_questions
from course_lib.quiz.bank import balanced_orders, format_answer, precision_text, tolerance_for
from course_lib.quiz.numeric import KINDS, compute, linear_scaling_lr

ROOT = Path(__file__).resolve().parents[1]
QUIZ_DIR = ROOT / "course_lib" / "quiz"
SPEC_DATA = json.loads((QUIZ_DIR / "specs.json").read_text("utf-8"))
SPECS = {s["id"]: s for s in SPEC_DATA["specs"]}
VALUES = {(s["id"], s["name"]): s for s in SPEC_DATA["values"]}
RAW = {lang: json.loads((QUIZ_DIR / f"bank_{lang}.json").read_text("utf-8"))
       for lang in ("ko", "en")}
LESSON_CHAPTERS = sorted(p.name[:2]
                         for p in (ROOT / "notebooks" / "_source").glob("[0-9][0-9]_*.txt"))
HANGUL = re.compile("[가-힣]")


@pytest.fixture(scope="module")
def banks():
    return {lang: load_questions(lang) for lang in ("ko", "en")}


def choice_items(questions):
    return [q for q in questions if not q.is_numeric]


# ------------------------------------------------------------------ size and coverage
def test_at_least_150_items_per_language_with_identical_ids(banks):
    ko, en = banks["ko"], banks["en"]
    assert len(ko) >= 150 and len(en) >= 150
    assert [q.id for q in ko] == [q.id for q in en]
    assert len({q.id for q in ko}) == len(ko), "duplicate ids"
    assert [(q.topic, q.chapter) for q in ko] == [(q.topic, q.chapter) for q in en]


def test_every_topic_sheet_is_covered(banks):
    counts = Counter(q.topic for q in banks["en"])
    assert set(counts) == set(TOPICS), f"topics without items: {set(TOPICS) - set(counts)}"
    thin = {t: c for t, c in counts.items() if c < 6}
    assert not thin, f"topics with fewer than 6 items: {thin}"
    # the new exam topics of this edition, by their keys
    for topic in ("gradient_flow", "backprop", "regularisation", "distributed",
                  "new_optimizers", "outlook"):
        assert counts[topic] >= 9, topic


def test_every_lesson_chapter_is_covered(banks):
    assert LESSON_CHAPTERS[0] == "01" and len(LESSON_CHAPTERS) >= 11
    chapters = Counter(q.chapter for q in banks["en"])
    assert set(chapters) - {None} <= set(LESSON_CHAPTERS), "chapter that is not a lesson"
    thin = {c: chapters[c] for c in LESSON_CHAPTERS if chapters[c] < 4}
    assert not thin, f"lesson chapters with fewer than 4 items: {thin}"


def test_both_kinds_are_present(banks):
    numeric = [q for q in banks["en"] if q.is_numeric]
    assert len(numeric) >= 30
    assert len(banks["en"]) - len(numeric) >= 120


# -------------------------------------------------------------------- well-formed items
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_items_are_well_formed(banks, lang):
    for q in banks[lang]:
        assert q.topic in TOPICS, q.id
        assert q.prompt.strip() and q.explanation.strip(), q.id
        if q.is_numeric:
            continue
        assert 3 <= len(q.choices) <= 6, q.id
        assert len(set(q.choices)) == len(q.choices), f"{q.id}: repeated choices"
        assert all(c.strip() for c in q.choices), q.id
        assert isinstance(q.answer, int) and 0 <= q.answer < len(q.choices), q.id


def test_choices_and_answers_line_up_across_languages(banks):
    for ko, en in zip(banks["ko"], banks["en"], strict=True):
        if ko.is_numeric:
            assert en.is_numeric and ko.answer == en.answer and ko.tolerance == en.tolerance
        else:
            assert len(ko.choices) == len(en.choices), ko.id
            assert ko.answer == en.answer, ko.id


def test_korean_bank_is_korean_and_english_bank_has_no_hangul(banks):
    for q in banks["ko"]:
        assert HANGUL.search(q.prompt) and HANGUL.search(q.explanation), q.id
    for q in banks["en"]:
        assert not HANGUL.search(q.prompt + q.explanation + "".join(q.choices or ())), q.id


def _sentences(s: str) -> list[str]:
    while re.search(r"\([^()]*\)", s):
        s = re.sub(r"\([^()]*\)", "", s)             # parentheticals, nested ones too
    s = re.sub(r"'[^']*'", "''", s)                   # quoted titles
    return [p.strip() for p in re.split(r"(?<=[.?!])\s+", s) if p.strip()]


def test_korean_prompts_and_explanations_are_in_hapnida_style(banks):
    for q in banks["ko"]:
        for part in (q.prompt, q.explanation):
            for sentence in _sentences(part):
                assert re.search(r"(니다|니까|십시오)[.?]$", sentence), (q.id, sentence)
    # the check itself: a 해라체 sentence fails it
    assert not re.search(r"(니다|니까|십시오)[.?]$", _sentences("기울기의 반대로 움직인다.")[0])


def test_explanations_do_not_read_like_another_option(banks):
    # "B. T. Polyak (1964) ..." under "Answer: A. ..." read as if option B were right.
    initial = re.compile(r"(?:^|(?<=[\s(]))[A-H]\. [A-Z]")
    for lang in ("ko", "en"):
        for q in banks[lang]:
            assert not initial.search(q.explanation), (lang, q.id, q.explanation[:60])
    assert initial.search("B. T. Polyak (1964), 'Some methods...'")


def test_explanations_do_not_point_at_option_positions(banks):
    # load_questions shuffles the choices, so "the last option" means nothing to a student.
    position = re.compile(r"(첫|두|세|네|마지막|나머지) ?(번째 )?보기|\b(first|second|third|fourth|"
                          r"last|other) (option|choice)s?\b", re.IGNORECASE)
    for lang in ("ko", "en"):
        for q in banks[lang]:
            assert not position.search(q.explanation), (lang, q.id, position.search(q.explanation))
    assert position.search("마지막 보기는 선형 스케일링 규칙입니다")
    assert position.search("the opposite of the third option")


def test_student_facing_text_does_not_mention_the_course_sources(banks):
    # "some textbooks and blog posts ..." is the form (BRIEF.md); ov04 used to say "the source".
    phrases = ("seed text", "the seeds", "source text", "source material", "원문", "시드 텍스트",
               "원본 자료")
    for lang in ("ko", "en"):
        for q in banks[lang]:
            words = (q.prompt + q.explanation + "".join(q.choices or ())).lower()
            assert not any(p in words for p in phrases), (lang, q.id)


# ------------------------------------------- option lengths do not give the answer away
def length_rank_wins(questions) -> list[float]:
    """Share of items won by "always pick the k-th shortest option", for k = 0 (shortest) …

    An option tied in length with the right one counts as a win for every rank in the tie,
    so ties cannot hide a cue.  Only items with 4 options are counted (all of this bank).
    """
    items = [q for q in choice_items(questions) if len(q.choices) == 4]
    wins = [0] * 4
    for q in items:
        right = len(q.choices[q.answer])
        others = [len(c) for i, c in enumerate(q.choices) if i != q.answer]
        low = sum(o < right for o in others)
        high = low + sum(o == right for o in others)
        for rank in range(low, high + 1):
            wins[rank] += 1
    return [w / len(items) for w in wins]


def assert_lengths_balanced(questions, limit: float = 1 / 3) -> None:
    """No strategy "pick the k-th longest option" wins more than ``limit`` of the items.

    Random guessing wins 1/4.  The brief's bound is the longest option; this checks every
    rank, because after the first edition (right option the longest in 46 of 59 items) a
    bank can slide into the opposite cue (right option the second shortest).
    """
    shares = length_rank_wins(questions)
    assert shares[3] <= limit, f"right option is the longest in {shares[3]:.0%} of the items"
    assert max(shares) <= limit, f"picking by length rank wins {shares}: above {limit:.0%}"


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_right_option_is_not_given_away_by_its_length(banks, lang):
    assert_lengths_balanced(banks[lang])


def test_the_length_check_fails_on_a_planted_bank(banks):
    # Planted: pad every right option so that it is the longest, as in the first edition.
    planted = [q if q.is_numeric else replace(
        q, choices=tuple(c + " (자세한 설명)" * 3 if i == q.answer else c
                         for i, c in enumerate(q.choices)))
        for q in banks["ko"]]
    with pytest.raises(AssertionError, match="longest"):
        assert_lengths_balanced(planted)
    # Planted: every right option the second shortest (the other cue).
    second = []
    for q in choice_items(banks["en"]):
        order = sorted(range(4), key=lambda i: len(q.choices[i]))
        # relabel: keep the texts, declare the second shortest option right
        second.append(replace(q, answer=order[1]))
    with pytest.raises(AssertionError, match="length rank"):
        assert_lengths_balanced(second)


# ------------------------------------------------ answer positions in load_questions' order
def position_counts(questions) -> dict[int, Counter]:
    """For each number of choices k: how often the right answer sits at each position."""
    out: dict[int, Counter] = {}
    for q in choice_items(questions):
        out.setdefault(len(q.choices), Counter())[q.answer] += 1
    return out


def assert_positions_fair(questions) -> None:
    """Each position holds the right answer m // k or m // k + 1 times (m items with k choices).

    The tolerance is the rounding of m / k, nothing more: load_questions deals the answer
    positions out evenly (balanced_orders) rather than drawing each at random.  A uniform
    shuffle would be fair only on average; with 179 four-choice items its counts have a
    standard deviation of √(179 · 1/4 · 3/4) ≈ 5.8, so a seed could leave, say, 35 answers
    at one position and 55 at another, enough to reward guessing that position.
    """
    for k, counts in position_counts(questions).items():
        m = sum(counts.values())
        full = [counts.get(p, 0) for p in range(k)]
        assert all(m // k <= c <= m // k + 1 for c in full), \
            f"{k}-choice items: answers per position {full}, fair is {m // k} or {m // k + 1}"


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("seed", [0, 1, 7, 2024])
def test_load_questions_spreads_the_answers_over_the_positions(lang, seed):
    assert_positions_fair(load_questions(lang, seed=seed))


def test_the_position_check_fails_on_the_unshuffled_bank():
    # The files list the right choice first: load_questions(seed=None) is the planted bank.
    authored = load_questions("en", seed=None)
    assert Counter(q.answer for q in choice_items(authored)) == {0: len(choice_items(authored))}
    with pytest.raises(AssertionError, match="answers per position"):
        assert_positions_fair(authored)


def test_the_shuffled_order_is_seeded_and_the_same_in_both_languages(banks):
    en0, en1 = load_questions("en", seed=0), load_questions("en", seed=1)
    ko0 = load_questions("ko", seed=0)
    authored = {q.id: q for q in load_questions("en", seed=None)}
    assert [q.answer for q in en0] == [q.answer for q in load_questions("en", seed=0)]
    assert [q.answer for q in en0] == [q.answer for q in ko0]
    assert [q.answer for q in en0] != [q.answer for q in en1]
    for q in choice_items(en0):
        a = authored[q.id]
        assert q.choices[q.answer] == a.choices[a.answer], q.id
        assert sorted(q.choices) == sorted(a.choices), q.id
    # a topic filter does not change an item's order
    by_id = {q.id: q for q in en0}
    for q in load_questions("en", topic="adam", seed=0):
        assert q.choices == by_id[q.id].choices


def test_balanced_orders_are_permutations_and_fair_for_mixed_choice_counts():
    rng = np.random.default_rng(0)
    n_choices = list(rng.integers(3, 7, size=101))
    answers = [int(rng.integers(k)) for k in n_choices]
    orders = balanced_orders(n_choices, answers, seed=5)
    for k, order in zip(n_choices, orders, strict=True):
        assert sorted(order) == list(range(k))
    for k in set(n_choices):
        positions = Counter(order.index(a) for kk, a, order in zip(n_choices, answers, orders,
                                                                   strict=True) if kk == k)
        m = sum(positions.values())
        assert all(m // k <= positions.get(p, 0) <= m // k + 1 for p in range(k))


# -------------------------------------------------- numeric items: computed, stated, accepted
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_numeric_items_are_filled_in_and_state_their_precision(banks, lang):
    templates = {it["id"]: it for it in RAW[lang]["numeric"]}
    assert set(templates) == set(SPECS)
    for q in banks[lang]:
        if not q.is_numeric:
            continue
        assert q.choices is None and math.isfinite(q.answer)
        assert not re.search(r"\{\w+\}", q.prompt + q.explanation), f"{q.id}: unfilled field"
        for name in SPECS[q.id]["args"]:
            if not name.startswith("_"):        # "_name": a limit of the computation, not an input
                assert "{" + name + "}" in templates[q.id]["prompt"], f"{q.id}: prompt omits {name}"
        assert q.prompt.endswith(precision_text(q.digits, lang)), q.id
        if q.digits is None:
            assert float(q.answer).is_integer() and q.tolerance == 0, q.id
        # the explanation explains; the widget states the answer (once)
        assert q.answer_text() not in q.explanation, f"{q.id}: explanation repeats the answer"


def test_tolerance_is_one_unit_in_the_last_stated_digit():
    assert tolerance_for(0.85528, 3) == pytest.approx(1e-3)
    assert tolerance_for(0.0855, 3) == pytest.approx(1e-4)
    assert tolerance_for(691.0, None) == 0.0
    assert tolerance_for(-7.0, 3) == pytest.approx(0.01)
    assert format_answer(0.85528, 3) == "0.855" and format_answer(0.9, 3) == "0.900"
    assert format_answer(-1.17528, 3) == "-1.18" and format_answer(9.5367e-07, 3) == "9.54e-7"


def test_the_issue_example_is_accepted_at_the_stated_precision(banks):
    # Issue 17: "0.855" for 0.85528 was marked wrong; the item now asks for 3 digits.
    q = next(q for q in banks["en"] if q.id == "nu08")
    assert q.answer == pytest.approx(0.85528, abs=1e-5) and q.digits == 3
    assert "3 significant digits" in q.prompt
    for typed in ("0.855", "0.8553", "0.85528", "0.856", " 0.855 "):
        assert q.is_correct(typed), typed
    for typed in ("0.85", "0.86", "0.854", "0.9"):
        assert not q.is_correct(typed), typed


def _grads(a):
    return [a[k] for k in ("g1", "g2", "g3") if k in a]


def _hand_adam(a, decoupled=False):
    theta, m, v = a["theta"], 0.0, 0.0
    b1, b2, lr, eps, wd = a["beta1"], a["beta2"], a["lr"], a["eps"], a.get("weight_decay", 0.0)
    for t, g in enumerate(_grads(a), start=1):
        if decoupled:
            theta *= 1 - lr * wd
        else:
            g = g + wd * theta
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        theta -= lr * (m / (1 - b1**t)) / (math.sqrt(v / (1 - b2**t)) + eps)
    return theta


def _hand_sgd(a, nesterov=False, want="param"):
    theta, buf = a["theta"], None
    for g in _grads(a):
        buf = g if buf is None else a["momentum"] * buf + g
        theta -= a["lr"] * (g + a["momentum"] * buf if nesterov else buf)
    return buf if want == "buffer" else theta


def _hand_adagrad(a):
    theta, G = a["theta"], 0.0
    for g in _grads(a):
        G += g * g
        theta -= a["lr"] * g / (math.sqrt(G) + a["eps"])
    return theta


def _hand_rmsprop(a):
    theta, v = a["theta"], 0.0
    for g in _grads(a):
        v = a["alpha"] * v + (1 - a["alpha"]) * g * g
        theta -= a["lr"] * g / (math.sqrt(v) + a["eps"])
    return theta


def _hand_clip(a):
    norm = math.hypot(a["g1"], a["g2"])
    return a["g1"] * min(1.0, a["max_norm"] / (norm + 1e-6))


def _hand_lamb(a):
    theta, g = np.array(a["theta"]), np.array(a["grad"])
    m, v = (1 - a["beta1"]) * g, (1 - a["beta2"]) * g * g
    r = (m / (1 - a["beta1"])) / (np.sqrt(v / (1 - a["beta2"])) + a["eps"]) \
        + a["weight_decay"] * theta
    return float(theta[0] - a["lr"] * np.linalg.norm(theta) / np.linalg.norm(r) * r[0])


def _hand_newton(a):
    x, y = a["x0"], a["y0"]                   # Rosenbrock, a = 1, b = 100, written out
    g = np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])
    H = np.array([[2 - 400 * y + 1200 * x * x, -400 * x], [-400 * x, 200.0]])
    return float((np.array([x, y]) - np.linalg.solve(H, g))[a["_coord"]])


def _zero_bytes(stage, devices):
    # ZeRO's table (Rajbhandari et al. 2020, section 3.1): 2Ψ + 2Ψ + 12Ψ, partitioned stagewise
    return {0: 16, 1: 4 + 12 / devices, 2: 2 + 14 / devices, 3: 16 / devices}[stage]


HAND = {
    "adam": _hand_adam,
    "adamw": lambda a: _hand_adam(a, decoupled=True),
    "sgd": _hand_sgd,
    "sgd_buffer": lambda a: _hand_sgd(a, want="buffer"),
    "nesterov": lambda a: _hand_sgd(a, nesterov=True),
    "adagrad": _hand_adagrad,
    "rmsprop": _hand_rmsprop,
    "step_decay": lambda a: a["lr0"] * a["gamma"] ** (a["epoch"] // a["step_size"]),
    "exponential_decay": lambda a: a["lr0"] * a["gamma"] ** a["epoch"],
    "cosine": lambda a: a["lr_min"] + 0.5 * (a["lr_max"] - a["lr_min"])
    * (1 + math.cos(math.pi * a["t"] / a["T"])),
    "warmup": lambda a: a["lr0"] * (a["epoch"] + 1) / a["warmup"],
    "linear_scaling": lambda a: a["base_lr"] * a["batch"] / a["base_batch"],
    "data_parallel_scaling": lambda a: a["base_lr"] * a["workers"] * a["per_worker"]
    / a["base_batch"],
    "accumulation_scaling": lambda a: a["base_lr"] * a["workers"] * a["micro_batch"]
    * a["accumulation"] / a["base_batch"],
    "gd_threshold": lambda a: 2.0 / a["kappa"],          # L of ½(x² + κy²) is κ
    "gd_parabola": lambda a: a["x0"] * (1 - a["lr"] * a["a"]) ** a["steps"],
    "gd_iterations": lambda a: math.ceil(math.log(a["tol"])
                                         / math.log((a["kappa"] - 1) / (a["kappa"] + 1))),
    "clip_norm": _hand_clip,
    "iterations_per_epoch": lambda a: math.ceil(a["n"] / a["batch"]),
    "adam_state_size": lambda a: 2 * a["n_params"],
    "adam_uncorrected_ratio": lambda a: (  # one step: lr·m/(√v + ε) over lr·m̂/(√v̂ + ε)
        ((1 - a["beta1"]) * a["g1"] / (math.sqrt(1 - a["beta2"]) * abs(a["g1"]) + a["eps"]))
        / (a["g1"] / (abs(a["g1"]) + a["eps"]))),
    "momentum_lr_change": lambda a: a["theta"] - a["lr1"] * a["g1"]
    - a["lr2"] * (a["momentum"] * a["g1"] + a["g2"]),
    "velocity_lr_change": lambda a: a["theta"] - a["lr1"] * a["g1"]
    + (a["momentum"] * -a["lr1"] * a["g1"] - a["lr2"] * a["g2"]),
    "lamb": _hand_lamb,
    "sigmoid_chain": lambda a: 0.25 ** a["layers"],
    "newton_rosenbrock": _hand_newton,
    "sklearn_optimal_eta": lambda a: 1.0 / (a["alpha"] * (1.0 / (a["alpha"] ** -0.25 * a["alpha"])
                                                          + a["t"] - 1)),
    "mse_grad": lambda a: 2 / len(a["x"]) * sum(x * (x * a["w"] + a["b"] - y)
                                                for x, y in zip(a["x"], a["y"], strict=True)),
    "zero_gb": lambda a: a["n_params"] * _zero_bytes(a["stage"], a["devices"]) / 1e9,
    "zero_bytes": lambda a: _zero_bytes(a["stage"], a["devices"]),
    "state_values": lambda a: a["rows"] + a["cols"],                # Adafactor, factored v
}

#: Answers a student who holds a known misconception would type; each must be rejected at
#: the precision the item states (lessons' common-misconception boxes, the exercises' wrong
#: answers).  Computed here by hand, independently of course_lib.
MISCONCEPTIONS = {
    "nu01": [1 - 0.1 * 0.05 / math.sqrt(0.00025), 1 - 0.1 * 0.5],   # no bias correction; SGD
    "nu03": [_hand_adam({**SPECS["nu03"]["args"]})],                 # L2 instead of decoupled
    "nu04": [_hand_adam({**SPECS["nu04"]["args"]}, decoupled=True)],  # decoupled instead of L2
    "nu05": [0.9 * 0.1 + 0.1 * 0.5],                                 # EMA buffer (1 − μ)g
    "nu07": [_hand_sgd({**SPECS["nu07"]["args"]})],                  # Nesterov = plain momentum
    "nu08": [1 - 0.1 * 2 / 2 - 0.1 * 1 / 3],                         # sum of |g|, not g²
    "nu09": [1 - 0.01],                                              # Adam-like bias correction
    "nu10": [0.1 * 0.5 ** (25 / 10)],                                # no floor (step decay)
    "nu12": [0.5 * 0.1 * (1 + math.cos(math.pi / 4)),                # lr_min ignored
             0.001 + 0.099 * (1 + math.cos(math.pi / 4))],           # the ½ missing
    "nu13": [0.0],                                                   # warmup from 0
    "nu14": [0.004, 0.001 * math.sqrt(8)],                           # the table's 0.004; √ rule
    "nu16": [1 / 25],                                                # 1/L instead of 2/L
    "nu18": [1.0],                                                   # clip by value
    "nu19": [31],                                                    # floor division
    "nu20": [1000, 4000],                                            # one state; + weights, grads
    "nu21": [math.sqrt(1 - 0.999) / (1 - 0.9)],                      # "too small": 1/3.16
    "nu22": [0.8],                                                   # the velocity form's value
    "nu23": [0.881],                                                 # PyTorch's form's value
    "nu24": [3.0 - 0.1],                                             # Adam, no trust ratio
    "nu25": [0.1 * 4 * 8 / 256],                                     # accumulation forgotten
    "nu26": [math.ceil(math.log(1e-6) / math.log(1 - 1 / 100))],     # the rate at 1/L
    "nu27": [0.5**10],                                               # σ′ ≤ 1/2 (a slip)
    "nu29": [0.01],                                                  # "optimal starts at eta0"
    "nu30": [-3.5, -14.0, 7.0],                                      # no 2; sum; sign
    "nu31": [-0.1 * 1e-5 / math.sqrt(1e-10 + 1e-10)],                # ε inside the root
    "nu32": [0.9],                                                   # "first step always lr"
    "nu33": [120.0, 31.40625, 16.640625],                            # no partition; stages 1, 2
    "nu34": [4 + 12 / 8, 16 / 8, 16.0],                              # stage 1; stage 3; none
    "nu35": [2 * 1024 * 4096, 1024 * 4096, 1024],                    # Adam; full v; the diagonal
}


def test_every_kind_has_a_hand_formula():
    assert set(HAND) == set(KINDS)
    assert {s["kind"] for s in list(SPECS.values()) + list(VALUES.values())} <= set(HAND)


@pytest.mark.parametrize("qid", sorted(SPECS))
def test_numeric_answer_from_course_lib_matches_hand_computation(banks, qid):
    spec = SPECS[qid]
    q = next(q for q in banks["en"] if q.id == qid)
    expected = HAND[spec["kind"]](spec["args"])
    assert q.answer == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert q.is_correct(q.answer_text())            # the answer written as the item asks
    assert q.is_correct(f"{expected:.10g}")


@pytest.mark.parametrize("qid", sorted(MISCONCEPTIONS))
def test_misconceptions_are_rejected_at_the_stated_precision(banks, qid):
    q = next(q for q in banks["en"] if q.id == qid)
    for wrong in MISCONCEPTIONS[qid]:
        # farther than the ±1 in the last digit the item accepts, typed exactly or rounded
        assert abs(wrong - q.answer) > 1.5 * q.tolerance, f"{qid}: {wrong} is too close to tell"
        assert not q.is_correct(f"{wrong:.6g}"), f"{qid} accepts the misconception {wrong}"
        assert not q.is_correct(format_answer(wrong, q.digits)), f"{qid} accepts {wrong} rounded"


def test_values_quoted_in_choice_items_are_computed(banks):
    for spec in VALUES.values():
        expected = HAND[spec["kind"]](spec["args"])
        assert compute(spec["kind"], spec["args"]) == pytest.approx(expected, rel=1e-6)
    # am02: without bias correction the first step is (1 − β₁)/√(1 − β₂) ≈ 3.16 times too
    # LARGE at t = 1 with PyTorch's default betas (the first edition said "too small").
    ratio = HAND["adam_uncorrected_ratio"](VALUES[("am02", "ratio")]["args"])
    assert f"{ratio:.3g}" == "3.16"
    for lang, larger in (("ko", "커집니다"), ("en", "too large")):
        q = next(q for q in banks[lang] if q.id == "am02")
        assert "3.16" in q.explanation and larger in q.explanation
        assert "0.9" in q.explanation and "0.999" in q.explanation       # the setting is stated
        # ds10 quotes ZeRO's figure 1 (120, 31.4, 16.6, 1.9 GB), computed by course_lib.memory
        ds10 = next(q for q in banks[lang] if q.id == "ds10")
        text = ds10.prompt + "".join(ds10.choices) + ds10.explanation
        assert all(v in text for v in ("120", "31.4", "16.6", "1.9"))
        assert ds10.choices[ds10.answer].startswith(("약 1.9GB", "About 1.9 GB"))


def test_known_textbook_values():
    # Hand-worked values quoted in the exam pack and the lessons.
    assert linear_scaling_lr(0.001, 32, 256) == pytest.approx(0.008)   # not 0.004
    args = {"lr0": 0.1, "gamma": 0.5, "step_size": 10, "epoch": 25}
    assert compute("step_decay", args) == pytest.approx(0.025)         # floor, not 0.1·0.5^2.5
    sgd = {"theta": 1.0, "g1": 1.0, "g2": 0.5, "lr": 0.1, "momentum": 0.9}
    assert compute("sgd_buffer", sgd) == pytest.approx(1.4)
    assert compute("gd_iterations", {"kappa": 100, "tol": 1e-6, "_max_steps": 2000}) == 691


def test_compute_rejects_unknown_kind_and_bad_arguments():
    with pytest.raises(ValueError, match="kind must be one of"):
        compute("newton", {})
    with pytest.raises(ValueError, match="base_batch"):
        linear_scaling_lr(0.1, 0, 256)
    with pytest.raises(ValueError, match="base_lr"):
        linear_scaling_lr(-0.1, 32, 256)
    with pytest.raises(ValueError, match="not reached"):
        compute("gd_iterations", {"kappa": 100, "tol": 1e-6, "_max_steps": 10})


# ------------------------------------------------------------------ answer checking
def test_is_correct_for_multiple_choice_and_numeric(banks):
    mc = next(q for q in banks["en"] if not q.is_numeric and q.answer == 1)
    assert mc.is_correct(1) and mc.is_correct(np.int64(1)) and not mc.is_correct(0)
    assert not mc.is_correct(True)      # a bool is not a choice index even though True == 1
    assert not mc.is_correct(None) and not mc.is_correct("1")
    nu = next(q for q in banks["en"] if q.id == "nu14")
    assert nu.is_correct(0.008) and nu.is_correct("0.008") and nu.is_correct(" 8e-3 ")
    assert not nu.is_correct(0.004) and not nu.is_correct("abc") and not nu.is_correct("")
    assert not nu.is_correct("nan") and not nu.is_correct("inf")
    neg = next(q for q in banks["en"] if q.id == "nu28")
    assert neg.is_correct("\u22121.18") and neg.is_correct("-1.175")    # U+2212 from a prompt


def test_load_questions_filters_by_topic_and_validates():
    adam = load_questions("en", topic="adam")
    assert adam and all(q.topic == "adam" for q in adam)
    with pytest.raises(ValueError, match="topic must be one of"):
        load_questions("en", topic="newton")
    with pytest.raises(ValueError, match="lang must be one of"):
        load_questions("fr")
    with pytest.raises(ValueError, match="seed must be an integer"):
        load_questions("en", seed=-1)


def test_bank_loads_fast():
    import time

    from course_lib.quiz import bank

    bank._read.cache_clear()
    bank._computed.cache_clear()
    bank._quoted.cache_clear()
    bank._bank.cache_clear()
    t0 = time.perf_counter()
    for lang in ("ko", "en"):
        load_questions(lang)
    assert time.perf_counter() - t0 < 1.5
    assert np.isfinite([q.answer for q in load_questions("en")]).all()
