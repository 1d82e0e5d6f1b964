"""The quiz widgets driven by code: the practice quiz and the timed mock exam.

Buttons are pressed with ``.click()`` and answers set on the widgets themselves, as a
student would; the mock exam's clock is a fake one that the tests move forward.
"""

from __future__ import annotations

import html
import re

import pytest

from course_lib import i18n
from course_lib.quiz import (
    TOPICS,
    load_questions,
    mock_exam,
    notebook_language,
    pick_mixed,
    pick_questions,
    quiz_widget,
)
from course_lib.quiz.widget import SECONDS_PER_QUESTION, QuizWidget, choice_label


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fresh_language(monkeypatch):
    """A session in which set_language was never called (and is restored afterwards)."""
    monkeypatch.setattr(i18n, "_current", "en")
    monkeypatch.setattr(i18n, "_chosen", False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)


def _put_right_answer(quiz):
    q = quiz.current
    if q.is_numeric:
        quiz.number.value = q.answer_text()
    else:
        quiz.choice.value = q.answer


def _put_wrong_answer(quiz):
    q = quiz.current
    if q.is_numeric:
        quiz.number.value = "-12345"
    else:
        quiz.choice.value = (q.answer + 1) % len(q.choices)


def _first(quiz, numeric: bool):
    while quiz.current is not None and quiz.current.is_numeric != numeric:
        quiz.next_button.click()
    assert quiz.current is not None
    return quiz.current


# ------------------------------------------------------------------------- language
def test_widget_follows_set_language(fresh_language):
    i18n.set_language("ko")
    quiz = quiz_widget(n=2, seed=0)
    assert quiz.lang == "ko" and "자가 퀴즈" in quiz.title.value
    assert quiz.check_button.description == "확인"
    i18n.set_language("en")
    assert quiz_widget(n=2, seed=0).check_button.description == "Check"


def test_without_set_language_the_widget_follows_the_notebooks_folder(fresh_language, monkeypatch,
                                                                      tmp_path):
    # Jupyter tells the kernel which notebook it belongs to in JPY_SESSION_NAME.
    monkeypatch.setenv("JPY_SESSION_NAME", "/home/s/course/notebooks/ko/11_exam_review.ipynb")
    assert notebook_language() == "ko"
    quiz = quiz_widget(n=2, seed=0)
    assert quiz.lang == "ko" and re.search("[가-힣]", quiz.prompt.value)
    # without it, the kernel's working directory (the notebook's folder) decides
    monkeypatch.delenv("JPY_SESSION_NAME")
    (tmp_path / "en").mkdir()
    monkeypatch.chdir(tmp_path / "en")
    assert notebook_language() == "en"
    monkeypatch.chdir(tmp_path)
    assert notebook_language() == "en"            # nothing to go by: the default
    (tmp_path / "ko").mkdir()
    monkeypatch.chdir(tmp_path / "ko")
    assert notebook_language() == "ko"
    i18n.set_language("en")                        # an explicit choice wins over the folder
    assert notebook_language() == "en"


# ------------------------------------------------------------------------ selection
def test_widget_builds_without_arguments():
    quiz = quiz_widget()
    assert len(quiz.questions) == 10 and quiz.position == 0 and quiz.score == 0


def test_same_seed_same_questions_in_both_languages():
    ko = pick_questions("ko", n=12, seed=3)
    en = pick_questions("en", n=12, seed=3)
    assert [q.id for q in ko] == [q.id for q in en]
    assert [q.answer for q in ko] == [q.answer for q in en]
    assert [q.id for q in pick_questions("en", n=12, seed=4)] != [q.id for q in en]


def test_picked_choices_keep_the_right_answer():
    bank = {q.id: q for q in load_questions("en", seed=None)}
    for q in pick_questions("en", n=len(bank), seed=0):
        original = bank[q.id]
        if not q.is_numeric:
            assert q.choices[q.answer] == original.choices[original.answer]
            assert sorted(q.choices) == sorted(original.choices)


def test_a_mixed_set_covers_the_topics_evenly():
    n = 2 * len(TOPICS) + 3
    picked = pick_mixed("en", n=n, seed=5)
    counts = {t: sum(q.topic == t for q in picked) for t in TOPICS}
    assert len(picked) == n and len({q.id for q in picked}) == n
    assert set(counts.values()) <= {2, 3} and sum(c == 3 for c in counts.values()) == 3
    only = pick_mixed("ko", n=6, seed=1, topics=["adam", "distributed"])
    assert sorted(q.topic for q in only) == ["adam"] * 3 + ["distributed"] * 3
    assert [q.id for q in pick_mixed("ko", n=n, seed=5)] == [q.id for q in picked]


def test_widget_arguments_are_validated():
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        quiz_widget(n=0)
    with pytest.raises(ValueError, match="topic"):
        quiz_widget(topic="nope")
    with pytest.raises(ValueError, match="lang"):
        quiz_widget(lang="de")
    with pytest.raises(ValueError, match="seed must be an integer"):
        quiz_widget(seed=-3)
    with pytest.raises(ValueError, match="minutes must be a finite number > 0"):
        mock_exam(minutes=0)
    with pytest.raises(ValueError, match="minutes"):
        mock_exam(minutes=float("nan"))
    with pytest.raises(ValueError, match="topics must be"):
        mock_exam(topics=["adam", "nope"])
    with pytest.raises(ValueError, match="at least one question"):
        QuizWidget([], "en")
    assert len(quiz_widget(n=500, seed=0).questions) == len(load_questions())


# --------------------------------------------------------------------- practice quiz
def test_driving_the_practice_quiz_all_right_scores_full_marks():
    quiz = quiz_widget(lang="ko", n=8, seed=1)
    for _ in range(8):
        _put_right_answer(quiz)
        quiz.check_button.click()
        assert "정답입니다" in quiz.feedback.value and "해설:" in quiz.feedback.value
        quiz.next_button.click()
    assert quiz.finished and quiz.score == 8
    assert "8 / 8" in quiz.prompt.value and "모두 맞혔습니다" in quiz.review.value


def test_a_checked_question_disables_check_and_it_looks_disabled():
    quiz = quiz_widget(lang="en", n=3, seed=2)
    assert not quiz.check_button.disabled and quiz.check_button.button_style == "primary"
    _put_wrong_answer(quiz)
    quiz.check_button.click()
    assert quiz.check_button.disabled
    assert quiz.check_button.button_style == ""       # no primary colour on a disabled button
    assert quiz.next_button.button_style == "primary"  # the next thing to press stands out
    quiz.next_button.click()
    assert not quiz.check_button.disabled and quiz.check_button.button_style == "primary"


def test_an_empty_or_unreadable_answer_is_not_graded():
    quiz = quiz_widget(lang="en", n=40, seed=0)
    q = _first(quiz, numeric=False)
    assert quiz.submit() is None and "Pick a choice" in quiz.feedback.value
    for not_a_choice in ("abc", 7, -1, True, 0.5):
        assert quiz.submit(not_a_choice) is None, not_a_choice
    assert q.id not in quiz.results and not quiz.check_button.disabled
    q = _first(quiz, numeric=True)
    quiz.number.value = "0,8.5x"
    quiz.check_button.click()
    assert q.id not in quiz.results and "Type a number" in quiz.feedback.value
    _put_right_answer(quiz)
    quiz.check_button.click()
    assert quiz.results[q.id] is True


def test_a_question_is_graded_once():
    quiz = quiz_widget(lang="en", n=2, seed=3)
    q = quiz.current
    assert quiz.submit("-12345" if q.is_numeric else (q.answer + 1) % len(q.choices)) is False
    assert quiz.submit(q.answer_text() if q.is_numeric else q.answer) is False


def test_numeric_feedback_states_the_answer_once_at_the_stated_precision():
    quiz = quiz_widget(lang="en", n=60, seed=0, topic="lr_schedule")
    q = _first(quiz, numeric=True)
    assert "significant digits" in q.prompt or "whole number" in q.prompt
    quiz.number.value = "-12345"
    quiz.check_button.click()
    assert quiz.feedback.value.count(q.answer_text()) == 1
    assert f"Answer: {q.answer_text()}" in quiz.feedback.value
    quiz.next_button.click()
    q = _first(quiz, numeric=True)
    _put_right_answer(quiz)
    quiz.check_button.click()
    assert "Correct" in quiz.feedback.value and quiz.feedback.value.count(q.answer_text()) == 1


def test_the_issue_example_is_right_in_the_widget():
    # nu08 is 0.85528...; the item asks for 3 significant digits, so 0.855 is right.
    questions = [q for q in load_questions("ko") if q.id == "nu08"]
    quiz = QuizWidget(questions, "ko")
    assert "유효숫자 3자리" in quiz.prompt.value
    quiz.number.value = "0.855"
    quiz.check_button.click()
    assert quiz.results["nu08"] is True and "정답입니다" in quiz.feedback.value


def test_the_review_of_a_wrong_answer_is_unambiguous():
    questions = [q for q in load_questions("en") if q.id == "mo01"]    # "Polyak, 1964"
    quiz = QuizWidget(questions, "en")
    q = quiz.current
    wrong = (q.answer + 1) % 4
    quiz.choice.value = wrong
    quiz.check_button.click()
    quiz.next_button.click()
    review = quiz.review.value
    right = f"Right answer: {choice_label(q.answer, 'en')} {html.escape(q.choices[q.answer])}"
    given = f"Your answer: {choice_label(wrong, 'en')} {html.escape(q.choices[wrong])}"
    assert right in review and given in review
    assert review.count("Right answer:") == 1 and review.count("Why:") == 1
    why = review.split("Why:")[1]
    assert not re.match(r"\s*\(?[A-D][.)]", why), "the explanation starts like an option label"
    assert "B. T." not in review


def test_wrong_and_skipped_answers_are_reviewed_with_explanations():
    quiz = quiz_widget(lang="ko", n=4, seed=2)
    asked = list(quiz.questions)
    _put_right_answer(quiz)
    assert quiz.submit() is True
    quiz.next_button.click()
    _put_wrong_answer(quiz)
    quiz.check_button.click()
    quiz.next_button.click()
    quiz.next_button.click()                       # skipped without an answer
    _put_wrong_answer(quiz)
    quiz.check_button.click()
    quiz.next_button.click()
    assert quiz.finished and quiz.score == 1
    assert [w.id for w in quiz.wrong()] == [q.id for q in asked[1:]]
    for w in asked[1:]:
        assert html.escape(w.explanation, quote=False) in quiz.review.value
    assert quiz.review.value.count("답하지 않음") == 1
    assert "내 답" in quiz.review.value and "정답" in quiz.review.value
    assert "keep-all" in quiz.review.value
    with pytest.raises(RuntimeError, match="finished"):
        quiz.submit(0)


# ----------------------------------------------------------------------- mock exam
def test_mock_exam_gives_no_feedback_until_the_end_then_scores_per_topic():
    exam = mock_exam(lang="en", n=len(TOPICS), seed=4, clock=FakeClock())
    assert "Mock exam" in exam.title.value and exam.check_button not in exam.children[5].children
    assert {q.topic for q in exam.questions} == set(TOPICS)       # one per topic
    for i in range(len(TOPICS)):
        (_put_right_answer if i % 2 == 0 else _put_wrong_answer)(exam)
        exam.next_button.click()
        if not exam.finished:
            assert exam.feedback.value == ""                     # nothing given away
    assert exam.finished and exam.score == (len(TOPICS) + 1) // 2
    scores = exam.topic_scores()
    assert sum(a for _, a in scores.values()) == len(TOPICS)
    assert sum(r for r, _ in scores.values()) == exam.score
    assert "Score per topic" in exam.review.value
    for t in TOPICS:
        assert html.escape(TOPICS[t][1], quote=False) in exam.review.value
    assert exam.review.value.count("Right answer:") == len(TOPICS) // 2


def test_mock_exam_ends_when_the_time_is_up():
    clock = FakeClock()
    exam = mock_exam(lang="ko", n=5, minutes=2, seed=0, clock=clock)
    assert "2:00" in exam.timer.value
    _put_right_answer(exam)
    exam.next_button.click()
    clock.now += 61
    exam.tick()
    assert "0:59" in exam.timer.value and not exam.finished
    _put_right_answer(exam)                         # on screen when the time runs out
    clock.now += 60
    exam.tick()
    assert exam.finished and exam.timed_out
    assert exam.score == 2                          # the answer on screen still counts
    assert "시간이 다 되었습니다" in exam.prompt.value
    assert exam.review.value.count("답하지 않음") == 3
    assert exam.next_button.disabled and exam.finish_button.disabled


def test_an_answer_after_the_time_is_up_does_not_count():
    clock = FakeClock()
    exam = mock_exam(lang="en", n=3, minutes=1, seed=1, clock=clock)
    clock.now += 61
    q = exam.current
    assert exam.submit(q.answer_text() if q.is_numeric else q.answer) is None
    assert exam.finished and exam.timed_out and exam.score == 0


def test_finishing_early_counts_the_rest_as_unanswered():
    exam = mock_exam(lang="en", n=6, seed=2, clock=FakeClock())
    for _ in range(2):
        _put_right_answer(exam)
        exam.next_button.click()
    exam.finish_button.click()
    assert exam.finished and not exam.timed_out and exam.score == 2
    assert exam.review.value.count("not answered") == 4
    assert "Exam over" in exam.prompt.value and "2 / 6" in exam.prompt.value


def test_mock_exam_default_time_is_a_minute_per_question():
    clock = FakeClock()
    exam = mock_exam(lang="en", n=7, seed=0, clock=clock)
    assert exam.time_left() == pytest.approx(7 * SECONDS_PER_QUESTION)
    assert quiz_widget(n=2, seed=0).time_left() is None
