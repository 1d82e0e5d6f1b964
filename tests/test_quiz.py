"""The quiz bank (course_lib.quiz): valid items, identical ids in both languages, numeric
answers computed by course_lib that agree with hand formulas, and the widget driven by code."""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from course_lib.quiz import TOPICS, load_questions, pick_questions, quiz_widget
from course_lib.quiz.numeric import KINDS, compute, linear_scaling_lr

QUIZ_DIR = Path(__file__).resolve().parents[1] / "course_lib" / "quiz"
SPECS = {s["id"]: s for s in json.loads((QUIZ_DIR / "specs.json").read_text("utf-8"))["specs"]}
RAW = {lang: json.loads((QUIZ_DIR / f"bank_{lang}.json").read_text("utf-8"))
       for lang in ("ko", "en")}


@pytest.fixture(scope="module")
def banks():
    return {lang: load_questions(lang) for lang in ("ko", "en")}


# ---------------------------------------------------------------- the bank itself
def test_at_least_60_items_per_language_with_identical_ids(banks):
    ko, en = banks["ko"], banks["en"]
    assert len(ko) >= 60 and len(en) >= 60
    assert [q.id for q in ko] == [q.id for q in en]
    assert len({q.id for q in ko}) == len(ko), "duplicate ids"
    assert [q.topic for q in ko] == [q.topic for q in en]


def test_topics_come_from_the_fixed_list_and_each_is_covered(banks):
    topics = [q.topic for q in banks["en"]]
    assert set(topics) <= set(TOPICS)
    for t in TOPICS:
        assert topics.count(t) >= 3, f"topic {t} has fewer than 3 questions"


def test_both_kinds_are_present(banks):
    numeric = [q for q in banks["en"] if q.is_numeric]
    assert len(numeric) >= 15
    assert len(banks["en"]) - len(numeric) >= 45


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_multiple_choice_items_are_well_formed(banks, lang):
    for q in banks[lang]:
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


def test_right_answers_are_not_all_in_one_position(banks):
    positions = [q.answer for q in banks["en"] if not q.is_numeric]
    assert len(set(positions)) >= 3
    assert max(positions.count(p) for p in set(positions)) < len(positions)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_numeric_items_are_finite_filled_in_and_mention_every_input(banks, lang):
    templates = {it["id"]: it for it in RAW[lang]["numeric"]}
    assert set(templates) == set(SPECS)
    for q in banks[lang]:
        if not q.is_numeric:
            continue
        assert q.choices is None
        assert math.isfinite(q.answer)
        assert 0 <= q.tolerance <= 0.01 * max(abs(q.answer), 1e-3), q.id
        assert not re.search(r"\{\w+\}", q.prompt + q.explanation), f"{q.id}: unfilled field"
        for name in SPECS[q.id]["args"]:
            assert "{" + name + "}" in templates[q.id]["prompt"], f"{q.id}: prompt omits {name}"


def test_korean_bank_is_korean_and_english_bank_is_not(banks):
    hangul = re.compile("[가-힣]")
    assert all(hangul.search(q.prompt) for q in banks["ko"])
    # ov04 quotes the Korean typo 폐해 on purpose (COURSE_DESIGN erratum 11)
    assert not any(hangul.search(q.prompt + q.explanation + "".join(q.choices or ()))
                   for q in banks["en"] if q.id != "ov04")


# -------------------------------------------- numeric answers vs hand computation
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
    "gd_threshold": lambda a: 2.0 / a["kappa"],          # L of ½(x² + κy²) is κ
    "gd_parabola": lambda a: a["x0"] * (1 - a["lr"] * a["a"]) ** a["steps"],
    "clip_norm": _hand_clip,
    "iterations_per_epoch": lambda a: math.ceil(a["n"] / a["batch"]),
    "adam_state_size": lambda a: 2 * a["n_params"],
}


def test_every_kind_has_a_hand_formula():
    assert set(HAND) == set(KINDS)
    assert {s["kind"] for s in SPECS.values()} <= set(HAND)


@pytest.mark.parametrize("qid", sorted(SPECS))
def test_numeric_answer_from_course_lib_matches_hand_computation(banks, qid):
    spec = SPECS[qid]
    q = next(q for q in banks["en"] if q.id == qid)
    expected = HAND[spec["kind"]](spec["args"])
    assert q.answer == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert q.is_correct(f"{expected:.6g}")          # what a student would type


def test_known_textbook_values():
    # Hand-worked values quoted in the exam pack and the lessons.
    assert linear_scaling_lr(0.001, 32, 256) == pytest.approx(0.008)   # not 0.004
    args = {"lr0": 0.1, "gamma": 0.5, "step_size": 10, "epoch": 25}
    assert compute("step_decay", args) == pytest.approx(0.025)         # floor, not 0.1·0.5^2.5
    sgd = {"theta": 1.0, "g1": 1.0, "g2": 0.5, "lr": 0.1, "momentum": 0.9}
    assert compute("sgd_buffer", sgd) == pytest.approx(1.4)


def test_compute_rejects_unknown_kind_and_bad_scaling_arguments():
    with pytest.raises(ValueError, match="kind must be one of"):
        compute("newton", {})
    with pytest.raises(ValueError, match="base_batch"):
        linear_scaling_lr(0.1, 0, 256)
    with pytest.raises(ValueError, match="base_lr"):
        linear_scaling_lr(-0.1, 32, 256)


# ------------------------------------------------------------------ answer checking
def test_is_correct_for_multiple_choice_and_numeric(banks):
    mc = next(q for q in banks["en"] if not q.is_numeric and q.answer == 1)
    assert mc.is_correct(1) and not mc.is_correct(0)
    assert not mc.is_correct(True)      # a bool is not a choice index even though True == 1
    assert not mc.is_correct(None)
    nu = next(q for q in banks["en"] if q.id == "nu14")
    assert nu.is_correct(0.008) and nu.is_correct("0.008") and nu.is_correct(" 8e-3 ")
    assert not nu.is_correct(0.004) and not nu.is_correct("abc") and not nu.is_correct("")
    assert not nu.is_correct("nan")


def test_load_questions_filters_by_topic_and_validates():
    adam = load_questions("en", topic="adam")
    assert adam and all(q.topic == "adam" for q in adam)
    with pytest.raises(ValueError, match="topic must be one of"):
        load_questions("en", topic="newton")
    with pytest.raises(ValueError, match="lang must be one of"):
        load_questions("fr")


# ---------------------------------------------------------------------- the widget
def test_widget_builds_without_arguments():
    quiz = quiz_widget()
    assert len(quiz.questions) == 10 and quiz.position == 0 and quiz.score == 0


def test_same_seed_same_questions_in_both_languages():
    ko = pick_questions("ko", n=12, seed=3)
    en = pick_questions("en", n=12, seed=3)
    assert [q.id for q in ko] == [q.id for q in en]
    assert [q.answer for q in ko] == [q.answer for q in en]
    assert [q.id for q in pick_questions("en", n=12, seed=4)] != [q.id for q in en]


def test_shuffled_choices_keep_the_right_answer(banks):
    bank = {q.id: q for q in banks["en"]}
    for q in pick_questions("en", n=len(bank), seed=0):
        original = bank[q.id]
        if not q.is_numeric:
            assert q.choices[q.answer] == original.choices[original.answer]
            assert sorted(q.choices) == sorted(original.choices)


def test_widget_arguments_are_validated():
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        quiz_widget(n=0)
    with pytest.raises(ValueError, match="topic"):
        quiz_widget(topic="nope")
    with pytest.raises(ValueError, match="lang"):
        quiz_widget(lang="de")
    assert len(quiz_widget(n=500, seed=0).questions) == len(load_questions())


def _set_right_answer(quiz):
    q = quiz.current
    if q.is_numeric:
        quiz.number.value = f"{q.answer:.6g}"
    else:
        quiz.choice.value = q.answer


def test_driving_the_widget_all_right_scores_full_marks():
    quiz = quiz_widget(lang="ko", n=8, seed=1)
    for _ in range(8):
        _set_right_answer(quiz)
        quiz.check_button.click()
        assert "정답입니다" in quiz.feedback.value
        quiz.next_button.click()
    assert quiz.finished and quiz.score == 8
    assert "8 / 8" in quiz.prompt.value and "모두 맞혔습니다" in quiz.review.value


def test_wrong_answers_are_reviewed_with_explanations():
    quiz = quiz_widget(lang="en", n=4, seed=2)
    asked = list(quiz.questions)
    # first right, second wrong, third skipped, fourth wrong
    _set_right_answer(quiz)
    assert quiz.submit() is True
    quiz.next()
    q = quiz.current
    assert quiz.submit("-12345" if q.is_numeric else (q.answer + 1) % len(q.choices)) is False
    assert "Not quite" in quiz.feedback.value
    assert quiz.submit(q.answer) is False            # graded once: no second try
    quiz.next()
    quiz.next()
    q = quiz.current
    quiz.submit("abc" if q.is_numeric else (q.answer + 1) % len(q.choices))
    quiz.next()
    assert quiz.finished and quiz.score == 1
    assert [w.id for w in quiz.wrong()] == [q.id for q in asked[1:]]
    for w in asked[1:]:
        assert html.escape(w.explanation, quote=False) in quiz.review.value
    with pytest.raises(RuntimeError, match="finished"):
        quiz.submit(0)


def test_numeric_question_in_widget_accepts_typed_text():
    quiz = quiz_widget(lang="en", n=30, seed=0, topic="lr_schedule")
    while quiz.current is not None and not quiz.current.is_numeric:
        quiz.next()
    q = quiz.current
    assert q is not None
    quiz.number.value = f"{q.answer:.6g}"
    quiz.check_button.click()
    assert quiz.results[q.id] is True


def test_bank_loads_fast():
    import time

    from course_lib.quiz import bank

    bank._read.cache_clear()
    bank._numeric_answers.cache_clear()
    t0 = time.perf_counter()
    for lang in ("ko", "en"):
        load_questions(lang)
    assert time.perf_counter() - t0 < 1.0
    assert np.isfinite([q.answer for q in load_questions("en")]).all()
