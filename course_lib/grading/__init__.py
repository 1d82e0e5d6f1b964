"""Graded exercises: feedback checks, the exercise generator and the autograder.

* :mod:`course_lib.grading.checks`: what test cells call (bilingual feedback).
* :func:`course_lib.grading.notebook.generate`: ``exercises/`` from ``solutions/``.
* :func:`course_lib.grading.runner.grade`: grade a submission in a separate kernel.

Command line::

    python -m course_lib.grading build-solutions [--check]   # solutions/_source/*.txt → solutions/
    python -m course_lib.grading generate [--check]          # solutions/ → exercises/
    python -m course_lib.grading SUBMISSION.ipynb [--json]
    python -m course_lib.grading SUBMISSIONS_DIR --csv grades.csv
"""
