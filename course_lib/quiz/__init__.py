"""Self-quiz for the course: a bilingual question bank, a practice quiz and a timed mock exam.

>>> from course_lib.quiz import load_questions, mock_exam, quiz_widget
>>> qs = load_questions("ko")          # list of Question (id, topic, prompt, choices, answer, ...)
>>> quiz = quiz_widget(n=10, seed=0)   # practice: feedback after every question
>>> exam = mock_exam(n=20, seed=0)     # 20 minutes, mixed topics, score per topic at the end

Numeric items (one Adam step by hand, a momentum buffer, a schedule value, ...) are
computed by course_lib itself when the bank loads; see :mod:`course_lib.quiz.numeric`.
"""

from course_lib.quiz.bank import TOPICS, Question, load_questions
from course_lib.quiz.numeric import linear_scaling_lr
from course_lib.quiz.widget import (
                                    QuizWidget,
                                    mock_exam,
                                    notebook_language,
                                    pick_mixed,
                                    pick_questions,
                                    quiz_widget,
)

__all__ = ["TOPICS", "Question", "QuizWidget", "linear_scaling_lr", "load_questions",
           "mock_exam", "notebook_language", "pick_mixed", "pick_questions", "quiz_widget"]
