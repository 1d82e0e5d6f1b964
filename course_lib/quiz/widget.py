"""A self-quiz in the notebook: one question at a time, a score, and a review of mistakes.

``quiz_widget()`` draws ``n`` questions from the bank in a seeded random order.  The student
picks a choice (or types a number), presses *Check* to see whether it is right and why, then
*Next*.  After the last question the widget shows the score and, for every wrong answer, the
question, the right answer and its explanation.

The logic lives in :class:`QuizWidget` methods (:meth:`QuizWidget.submit`,
:meth:`QuizWidget.next`), so tests and scripts can drive it without a browser.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets
import numpy as np

from course_lib.i18n import resolve, text
from course_lib.quiz.bank import Question, load_questions


def _esc(s: str) -> str:
    return html.escape(s, quote=False)


class QuizWidget(widgets.VBox):
    """The quiz box returned by :func:`quiz_widget`.

    Attributes
    ----------
    questions : list of Question
        The questions asked, in order.
    results : dict
        ``id -> bool`` for every question answered so far.
    position : int
        Index of the current question (``len(questions)`` once finished).
    """

    def __init__(self, questions: list[Question], lang: str) -> None:
        self.questions = questions
        self.lang = lang
        self.position = 0
        self.results: dict[str, bool] = {}
        self.responses: dict[str, Any] = {}
        self.title = widgets.HTML(f"<b>{self._t('자가 퀴즈', 'Self-quiz')}</b>")
        self.progress = widgets.HTML()
        self.prompt = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.choice = widgets.RadioButtons(options=[], layout=widgets.Layout(width="100%"))
        self.number = widgets.Text(placeholder=self._t("숫자를 입력하세요", "type a number"))
        self.check_button = widgets.Button(description=self._t("확인", "Check"),
                                           button_style="primary")
        self.next_button = widgets.Button(description=self._t("다음", "Next"))
        self.feedback = widgets.HTML()
        self.review = widgets.HTML()
        self.check_button.on_click(lambda _: self.submit())
        self.next_button.on_click(lambda _: self.next())
        super().__init__([self.title, self.progress, self.prompt, self.choice, self.number,
                          widgets.HBox([self.check_button, self.next_button]),
                          self.feedback, self.review])
        self._show()

    def _t(self, ko: str, en: str) -> str:
        return text(ko, en, lang=self.lang)

    # ------------------------------------------------------------------ state
    @property
    def current(self) -> Question | None:
        """The question on screen, or ``None`` when the quiz is finished."""
        return self.questions[self.position] if self.position < len(self.questions) else None

    @property
    def score(self) -> int:
        """Number of questions answered correctly."""
        return sum(self.results.values())

    @property
    def finished(self) -> bool:
        return self.position >= len(self.questions)

    def wrong(self) -> list[Question]:
        """The questions answered wrongly, in the order asked."""
        return [q for q in self.questions if self.results.get(q.id) is False]

    # ---------------------------------------------------------------- actions
    def submit(self, response: Any = None) -> bool:
        """Grade the current question (``response`` or what the widget holds); return correct?

        A question is graded once: pressing *Check* again does not change its result.
        """
        q = self.current
        if q is None:
            raise RuntimeError("the quiz is finished; build a new one with quiz_widget()")
        if response is None:
            response = self.number.value if q.is_numeric else self.choice.value
        if q.id not in self.results:
            self.results[q.id] = q.is_correct(response)
            self.responses[q.id] = response
        ok = self.results[q.id]
        verdict = self._t("정답입니다.", "Correct.") if ok else self._t("틀렸습니다.", "Not quite.")
        colour = "#1a7f37" if ok else "#b42318"
        self.feedback.value = (f"<span style='color:{colour}'><b>{verdict}</b></span> "
                               f"{self._answer_text(q)}<br>{_esc(q.explanation)}")
        self.check_button.disabled = True
        self._update_progress()
        return ok

    def next(self) -> None:
        """Go to the next question (an unanswered one counts as wrong)."""
        q = self.current
        if q is None:
            return
        if q.id not in self.results:
            self.results[q.id] = False
            self.responses[q.id] = None
        self.position += 1
        self._show()

    # ---------------------------------------------------------------- drawing
    def _answer_text(self, q: Question) -> str:
        if q.is_numeric:
            value = f"{q.answer:.6g}"
        else:
            value = f"{'ABCDEFGH'[q.answer]}. {_esc(q.choices[q.answer])}"
        return f"{self._t('정답', 'Answer')}: {value}"

    def _update_progress(self) -> None:
        n = len(self.questions)
        shown = min(self.position + 1, n)
        self.progress.value = (f"{self._t('문제', 'Question')} {shown} / {n} · "
                               f"{self._t('점수', 'score')} {self.score} / {len(self.results)}")

    def _show(self) -> None:
        q = self.current
        self.feedback.value = ""
        self._update_progress()
        if q is None:
            self._show_summary()
            return
        self.prompt.value = (f"<small>{_esc(q.topic_name(self.lang))}</small><br>"
                             f"<b>{_esc(q.prompt)}</b>")
        self.choice.layout.display = "none" if q.is_numeric else None
        self.number.layout.display = None if q.is_numeric else "none"
        if not q.is_numeric:
            self.choice.options = [(f"{'ABCDEFGH'[i]}. {c}", i) for i, c in enumerate(q.choices)]
            self.choice.index = None
        self.number.value = ""
        self.check_button.disabled = False

    def _show_summary(self) -> None:
        n = len(self.questions)
        self.prompt.value = (f"<b>{self._t('끝! 점수', 'Done! Score')}: {self.score} / {n}</b>")
        for w in (self.choice, self.number):
            w.layout.display = "none"
        self.check_button.disabled = self.next_button.disabled = True
        wrong = self.wrong()
        if not wrong:
            self.review.value = self._t("모두 맞혔습니다.", "All correct.")
            return
        rows = [f"<li><b>{_esc(q.prompt)}</b><br>{self._answer_text(q)}<br>"
                f"{_esc(q.explanation)}</li>" for q in wrong]
        self.review.value = (f"<b>{self._t('틀린 문제 다시 보기', 'Review of wrong answers')}</b>"
                             f"<ol>{''.join(rows)}</ol>")


def pick_questions(lang: str | None = None, n: int = 10, seed: int | None = None,
                   topic: str | None = None) -> list[Question]:
    """Draw up to ``n`` questions in a random order, each with its choices shuffled.

    The same ``seed`` gives the same questions and choice order in both languages.

    Parameters and errors are those of :func:`quiz_widget`.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    pool = load_questions(lang, topic=topic)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(pool))[: int(n)]
    return [pool[i].shuffled(rng) for i in order]


def quiz_widget(lang: str | None = None, n: int = 10, seed: int | None = None,
                topic: str | None = None) -> QuizWidget:
    """A self-quiz widget: ``n`` random questions, a score and a review of wrong answers.

    Parameters
    ----------
    lang : {"ko", "en"} or None, default=None
        Language of the questions and buttons; ``None`` uses the language in force.
    n : int, default=10
        Number of questions, >= 1 (fewer if the bank, or the topic, has fewer).
    seed : int or None, default=None
        Seed of the random order; ``None`` draws a new order each time.
    topic : str or None, default=None
        Ask only about one topic (a key of :data:`course_lib.quiz.TOPICS`).

    Returns
    -------
    QuizWidget
        An ``ipywidgets.VBox``; display it in a notebook.

    Examples
    --------
    >>> quiz = quiz_widget(lang="en", n=3, seed=0)
    >>> len(quiz.questions)
    3
    >>> quiz.submit(quiz.current.answer)     # answer the first one right
    True
    """
    lang = resolve(lang)
    return QuizWidget(pick_questions(lang, n=n, seed=seed, topic=topic), lang)
