"""The self-quiz and the timed mock exam, as ipywidgets.

``quiz_widget()`` is practice: one question at a time; *Check* grades it and explains, *Next*
moves on.  ``mock_exam()`` is an exam: a timed set mixed across the topics, no feedback until
the end, then the score per topic and a review of every wrong or unanswered question with
the right answer and its explanation.

The logic lives in :class:`QuizWidget` methods (:meth:`~QuizWidget.submit`,
:meth:`~QuizWidget.next`, :meth:`~QuizWidget.finish`, :meth:`~QuizWidget.tick`), so tests and
scripts drive it without a browser; the clock is injectable for the same reason.

Both follow the notebook's language by default: the language set with
:func:`course_lib.set_language`, or, if the notebook never set one, the edition folder the
notebook lives in (``…/ko/…`` or ``…/en/…``).
"""

from __future__ import annotations

import asyncio
import html
import math
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import numpy as np

from course_lib import i18n
from course_lib.i18n import resolve, text
from course_lib.quiz.bank import TOPICS, Question, load_questions, parse_number

#: Labels of the choices: the circled numbers of Korean exams, letters in English.
LABELS = {"ko": "①②③④⑤⑥⑦⑧", "en": "ABCDEFGH"}
#: Seconds per question when a mock exam is not given a time limit.
SECONDS_PER_QUESTION = 60
#: Korean words must not break mid-word in the review table (issue 17).
_KEEP_ALL = "word-break: keep-all; overflow-wrap: anywhere;"


def _esc(s: str) -> str:
    return html.escape(str(s), quote=False)


def notebook_language() -> str:
    """The language the quiz should speak when none is given.

    The language chosen with :func:`course_lib.set_language` if the session chose one;
    otherwise the edition of the notebook (``JPY_SESSION_NAME``, which Jupyter sets to the
    notebook's path, or the working directory, which is the notebook's folder): a path
    through a ``ko`` folder gives Korean, through ``en`` English; else the default (English).
    """
    if i18n.language_was_set():
        return i18n.get_language()
    for where in (os.environ.get("JPY_SESSION_NAME", ""), os.getcwd()):
        for part in reversed(Path(where).parts):
            if part in i18n.LANGUAGES:
                return part
    return i18n.get_language()


def choice_label(index: int, lang: str) -> str:
    """``①`` (Korean) or ``(A)`` (English) for choice ``index``."""
    mark = LABELS[lang][index]
    return mark if lang == "ko" else f"({mark})"


def _schedule(delay: float, callback: Callable[[], None]) -> Any:
    """Run ``callback`` after ``delay`` seconds on the kernel's event loop, if there is one.

    In a notebook, cells and button callbacks run on ipykernel's asyncio loop, so
    ``call_later`` ticks the clock between them.  A script or a test has no running loop:
    then nothing is scheduled and the deadline is checked on every action (and by
    :meth:`QuizWidget.tick`).
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    return loop.call_later(delay, callback)


class QuizWidget(widgets.VBox):
    """The quiz box returned by :func:`quiz_widget` and :func:`mock_exam`.

    Parameters
    ----------
    questions : list of Question
    lang : {"ko", "en"}
    exam : bool, default=False
        A mock exam: no feedback until the end, a *Finish* button, a per-topic score.
    time_limit : float or None, default=None
        Seconds allowed (exam mode); when they run out the exam ends and unanswered
        questions count as wrong.
    clock : callable, default=time.monotonic
        Source of the time in seconds (tests pass a fake one).

    Attributes
    ----------
    questions : list of Question
        The questions asked, in order.
    results : dict
        ``id -> bool`` for every question graded so far (skipped ones are False).
    responses : dict
        ``id -> what the student answered`` (``None`` when skipped).
    position : int
        Index of the current question (``len(questions)`` once finished).
    timed_out : bool
        Whether the time limit ended the exam.
    """

    def __init__(self, questions: list[Question], lang: str, *, exam: bool = False,
                 time_limit: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if not questions:
            raise ValueError("questions must hold at least one question")
        self.questions, self.lang, self.exam = list(questions), resolve(lang), bool(exam)
        self.position = 0
        self.results: dict[str, bool] = {}
        self.responses: dict[str, Any] = {}
        self.timed_out = False
        self._clock, self._handle = clock, None
        self._deadline = None if time_limit is None else clock() + float(time_limit)
        heading = (self._t("모의고사", "Mock exam") if self.exam
                   else self._t("자가 퀴즈", "Self-quiz"))
        self.title = widgets.HTML(f"<b>{heading}</b>")
        self.progress = widgets.HTML()
        self.timer = widgets.HTML()
        self.prompt = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.choice = widgets.RadioButtons(options=[], layout=widgets.Layout(width="100%"))
        self.number = widgets.Text()
        self.check_button = widgets.Button(description=self._t("확인", "Check"))
        self.next_button = widgets.Button(description=self._t("다음", "Next"))
        self.finish_button = widgets.Button(description=self._t("시험 끝내기", "Finish"),
                                            button_style="warning")
        self.feedback = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.review = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.check_button.on_click(lambda _: self.submit())
        self.next_button.on_click(lambda _: self.next())
        self.finish_button.on_click(lambda _: self.finish())
        buttons = ([self.next_button, self.finish_button] if self.exam
                   else [self.check_button, self.next_button])
        super().__init__([self.title, widgets.HBox([self.progress, self.timer]), self.prompt,
                          self.choice, self.number, widgets.HBox(buttons), self.feedback,
                          self.review])
        self._show()
        if self._deadline is not None:
            self._update_timer()
            self._handle = _schedule(1.0, self.tick)

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

    def time_left(self) -> float | None:
        """Seconds left (never below 0), or ``None`` without a time limit."""
        return None if self._deadline is None else max(0.0, self._deadline - self._clock())

    def wrong(self) -> list[Question]:
        """The questions answered wrongly or not at all, in the order asked."""
        return [q for q in self.questions if not self.results.get(q.id, False)]

    def topic_scores(self) -> dict[str, tuple[int, int]]:
        """``topic -> (right, asked)`` over the questions of this quiz, in course order."""
        out: dict[str, tuple[int, int]] = {}
        for topic in TOPICS:
            asked = [q for q in self.questions if q.topic == topic]
            if asked:
                out[topic] = (sum(self.results.get(q.id, False) for q in asked), len(asked))
        return out

    # ---------------------------------------------------------------- actions
    def _expired(self) -> bool:
        if self.finished or self._deadline is None or self.time_left() > 0:
            return False
        self.finish(timed_out=True)
        return True

    def tick(self) -> None:
        """Update the clock; end the exam when the time is up (called every second)."""
        self._handle = None
        if self.finished or self._expired():
            return
        self._update_timer()
        self._handle = _schedule(1.0, self.tick)

    def _read(self, q: Question, response: Any) -> Any:
        if response is None:
            response = self.number.value if q.is_numeric else self.choice.value
        if q.is_numeric:
            return parse_number(response)
        if isinstance(response, (int, np.integer)) and not isinstance(response, bool) \
                and 0 <= response < len(q.choices):
            return int(response)
        return None                                   # nothing picked, or not a choice

    def submit(self, response: Any = None) -> bool | None:
        """Grade the current question with ``response`` (or what the widget holds).

        Returns whether it is right, or ``None`` when there is nothing to grade: no choice
        picked, or a text that is not a number (the student is told, and can try again).
        A question is graded once: pressing *Check* again does not change its result.  In
        exam mode the answer is recorded silently and the exam moves on.
        """
        q = self.current
        if q is None:
            raise RuntimeError("the quiz is finished; build a new one with quiz_widget()")
        if self._expired():
            return None
        if q.id not in self.results:
            value = self._read(q, response)
            if value is None:
                self.feedback.value = self._t(
                    "숫자로 답하십시오(예: 0.5, 1e-3)." if q.is_numeric else "보기를 고르십시오.",
                    "Type a number (e.g. 0.5, 1e-3)." if q.is_numeric else "Pick a choice.")
                return None
            self.results[q.id], self.responses[q.id] = q.is_correct(value), value
        ok = self.results[q.id]
        if self.exam:
            self.position += 1
            self._show()
            return ok
        verdict = self._t("정답입니다.", "Correct.") if ok else self._t("틀렸습니다.", "Not quite.")
        colour = "#1a7f37" if ok else "#b42318"
        lines = [f"<span style='color:{colour}'><b>{verdict}</b></span>"]
        if q.is_numeric or not ok:
            lines.append(f"{self._t('정답', 'Answer')}: {self._answer(q)}")
        lines.append(f"{self._t('해설', 'Why')}: {_esc(q.explanation)}")
        self.feedback.value = f"<div style='{_KEEP_ALL}'>" + "<br>".join(lines) + "</div>"
        self._set_enabled(self.check_button, False)
        self._set_enabled(self.next_button, True, primary=True)
        self._update_progress()
        return ok

    def next(self) -> None:
        """Go to the next question (one left unanswered counts as wrong)."""
        q = self.current
        if q is None or self._expired():
            return
        if q.id not in self.results:
            if self.exam:
                value = self._read(q, None)
                if value is not None:          # exam: Next records what is on screen
                    self.submit(value)
                    return
            self.results[q.id], self.responses[q.id] = False, None
        self.position += 1
        self._show()

    def finish(self, timed_out: bool = False) -> None:
        """End now: unanswered questions count as wrong; show the score and the review."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self.timed_out = self.timed_out or timed_out
        q = self.current
        if q is not None and self.exam and q.id not in self.results:
            value = self._read(q, None)              # the answer on screen still counts
            if value is not None:
                self.results[q.id], self.responses[q.id] = q.is_correct(value), value
        for q in self.questions:
            if q.id not in self.results:
                self.results[q.id], self.responses[q.id] = False, None
        self.position = len(self.questions)
        self._show()

    # ---------------------------------------------------------------- drawing
    def _set_enabled(self, button: widgets.Button, enabled: bool, primary: bool = False) -> None:
        # A disabled button must look disabled: drop the colour as well (issue 17).
        button.disabled = not enabled
        button.button_style = "primary" if enabled and primary else ""
        button.tooltip = "" if enabled else self._t("이미 채점했습니다", "already graded")

    def _choice_text(self, q: Question, index: int) -> str:
        return f"{choice_label(index, self.lang)} {_esc(q.choices[index])}"

    def _answer(self, q: Question) -> str:
        if q.is_numeric:
            return _esc(q.answer_text())
        return self._choice_text(q, int(q.answer))

    def _given(self, q: Question) -> str:
        response = self.responses.get(q.id)
        if response is None:
            return self._t("답하지 않음", "not answered")
        if q.is_numeric:
            return _esc(f"{response:g}")
        return self._choice_text(q, int(response))

    def _update_progress(self) -> None:
        n = len(self.questions)
        shown = min(self.position + 1, n)
        status = f"{self._t('문제', 'Question')} {shown} / {n}"
        if not self.exam:
            status += f" · {self._t('점수', 'score')} {self.score} / {len(self.results)}"
        self.progress.value = status

    def _update_timer(self) -> None:
        left = self.time_left()
        if left is None:
            self.timer.value = ""
            return
        minutes, seconds = divmod(int(math.ceil(left)), 60)
        self.timer.value = f"&nbsp;· {self._t('남은 시간', 'time left')} {minutes:d}:{seconds:02d}"

    def _show(self) -> None:
        q = self.current
        self.feedback.value = ""
        self._update_progress()
        if q is None:
            self._show_summary()
            return
        self.prompt.value = (f"<div style='{_KEEP_ALL}'><small>{_esc(q.topic_name(self.lang))}"
                             f"</small><br><b>{_esc(q.prompt)}</b></div>")
        self.choice.layout.display = "none" if q.is_numeric else None
        self.number.layout.display = None if q.is_numeric else "none"
        if q.is_numeric:
            self.number.placeholder = self._t("숫자를 입력하십시오", "type a number")
        else:
            self.choice.options = [(f"{choice_label(i, self.lang)} {c}", i)
                                   for i, c in enumerate(q.choices)]
            self.choice.index = None
        self.number.value = ""
        self._set_enabled(self.check_button, True, primary=True)
        self._set_enabled(self.next_button, True, primary=self.exam)

    def _show_summary(self) -> None:
        n = len(self.questions)
        head = self._t("시험 끝", "Exam over") if self.exam else self._t("끝", "Done")
        if self.timed_out:
            head = self._t("시간이 다 되었습니다", "Time is up")
        self.prompt.value = f"<b>{head}! {self._t('점수', 'Score')}: {self.score} / {n}</b>"
        self.timer.value = ""
        for w in (self.choice, self.number):
            w.layout.display = "none"
        for b in (self.check_button, self.next_button, self.finish_button):
            self._set_enabled(b, False)
        parts = [self._topic_table()] if self.exam or len(self.topic_scores()) > 1 else []
        wrong = self.wrong()
        if not wrong:
            parts.append(self._t("모두 맞혔습니다.", "All correct."))
        else:
            rows = [f"<li style='margin-bottom:0.6em'><b>{_esc(q.prompt)}</b><br>"
                    f"{self._t('내 답', 'Your answer')}: {self._given(q)}<br>"
                    f"{self._t('정답', 'Right answer')}: {self._answer(q)}<br>"
                    f"{self._t('해설', 'Why')}: {_esc(q.explanation)}</li>" for q in wrong]
            parts.append(f"<b>{self._t('틀린 문제 다시 보기', 'Review of the questions missed')}"
                         f" ({len(wrong)})</b><ol>{''.join(rows)}</ol>")
        self.review.value = f"<div style='{_KEEP_ALL}'>" + "".join(parts) + "</div>"

    def _topic_table(self) -> str:
        cell = "style='padding:2px 10px; text-align:left'"
        rows = "".join(
            f"<tr><td {cell}>{_esc(text(*TOPICS[t], lang=self.lang))}</td>"
            f"<td {cell}>{right} / {asked}</td><td {cell}>{100 * right / asked:.0f}%</td></tr>"
            for t, (right, asked) in self.topic_scores().items())
        head = (f"<tr><th {cell}>{self._t('주제', 'topic')}</th>"
                f"<th {cell}>{self._t('맞힘', 'right')}</th><th {cell}>%</th></tr>")
        return (f"<b>{self._t('주제별 점수', 'Score per topic')}</b>"
                f"<table style='border-collapse:collapse'>{head}{rows}</table>")


def _check_count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def _draw_seed(seed: int | None) -> int:
    """The seed of one quiz: ``seed`` itself, or a fresh one when ``None``."""
    if seed is None:
        return int(np.random.default_rng().integers(2**31))
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0 or None, got {seed!r}")
    return int(seed)


def pick_questions(lang: str | None = None, n: int = 10, seed: int | None = None,
                   topic: str | None = None) -> list[Question]:
    """Draw up to ``n`` questions in a random order, their choices in a seeded order.

    The same ``seed`` gives the same questions and choice order in both languages.
    Parameters and errors are those of :func:`quiz_widget`.
    """
    n, seed = _check_count("n", n), _draw_seed(seed)
    pool = load_questions(notebook_language() if lang is None else lang, topic=topic, seed=seed)
    order = np.random.default_rng(seed).permutation(len(pool))[:n]
    return [pool[i] for i in order]


def pick_mixed(lang: str | None = None, n: int = 20, seed: int | None = None,
               topics: list[str] | None = None) -> list[Question]:
    """Draw a set mixed across topics: one question per topic in turn, then shuffled.

    Every topic in ``topics`` (default: all) gets ⌊n/k⌋ or ⌈n/k⌉ of the ``n`` questions
    while it has questions left, so a mock exam covers the syllabus rather than whatever a
    uniform draw happens to favour.
    """
    n, seed = _check_count("n", n), _draw_seed(seed)
    topics = list(TOPICS) if topics is None else list(topics)
    unknown = [t for t in topics if t not in TOPICS]
    if unknown or not topics:
        raise ValueError(f"topics must be a non-empty list of {list(TOPICS)}, got {topics!r}")
    rng = np.random.default_rng(seed)
    pool = load_questions(notebook_language() if lang is None else lang, seed=seed)
    by_topic = {t: [pool[i] for i in rng.permutation(len(pool)) if pool[i].topic == t]
                for t in topics}
    picked: list[Question] = []
    for t in rng.permutation(topics).tolist() * n:   # round robin, in a random topic order
        if len(picked) == n or not any(by_topic.values()):
            break
        if by_topic[t]:
            picked.append(by_topic[t].pop())
    return [picked[i] for i in rng.permutation(len(picked))]


def quiz_widget(lang: str | None = None, n: int = 10, seed: int | None = None,
                topic: str | None = None) -> QuizWidget:
    """A self-quiz widget: ``n`` random questions, feedback after each, and a review at the end.

    Parameters
    ----------
    lang : {"ko", "en"} or None, default=None
        Language of the questions and buttons; ``None`` follows the notebook
        (:func:`notebook_language`).
    n : int, default=10
        Number of questions, >= 1 (fewer if the bank, or the topic, has fewer).
    seed : int or None, default=None
        Seed of the questions drawn and of their choice order; ``None`` draws anew.
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
    lang = notebook_language() if lang is None else resolve(lang)
    return QuizWidget(pick_questions(lang, n=n, seed=seed, topic=topic), lang)


def mock_exam(lang: str | None = None, n: int = 20, minutes: float | None = None,
              seed: int | None = None, topics: list[str] | None = None,
              clock: Callable[[], float] = time.monotonic) -> QuizWidget:
    """A timed mock exam: ``n`` questions mixed across topics, graded at the end.

    No feedback is given until the exam ends (by *Finish*, by the last question, or when
    the time runs out); then the widget shows the score, the score per topic and every
    wrong or unanswered question with the right answer and its explanation.

    Parameters
    ----------
    lang : {"ko", "en"} or None, default=None
        ``None`` follows the notebook (:func:`notebook_language`).
    n : int, default=20
        Number of questions, >= 1.
    minutes : float or None, default=None
        Time allowed, > 0; ``None`` gives one minute per question.
    seed : int or None, default=None
        Seed of the set and of the choice order; ``None`` draws anew.
    topics : list of str or None, default=None
        Topics to mix (keys of :data:`course_lib.quiz.TOPICS`); ``None`` uses all.
    clock : callable, default=time.monotonic
        Source of the time in seconds.

    Returns
    -------
    QuizWidget

    Examples
    --------
    >>> exam = mock_exam(lang="en", n=4, seed=0)
    >>> [exam.submit(q.answer) for q in list(exam.questions)]
    [True, True, True, True]
    >>> exam.finished, exam.score
    (True, 4)
    """
    lang = notebook_language() if lang is None else resolve(lang)
    n = _check_count("n", n)
    if minutes is None:
        seconds = SECONDS_PER_QUESTION * n
    else:
        if isinstance(minutes, bool) or not isinstance(minutes, (int, float, np.number)) \
                or not math.isfinite(minutes) or minutes <= 0:
            raise ValueError(f"minutes must be a finite number > 0 or None, got {minutes!r}")
        seconds = 60.0 * float(minutes)
    return QuizWidget(pick_mixed(lang, n=n, seed=seed, topics=topics), lang, exam=True,
                      time_limit=seconds, clock=clock)
