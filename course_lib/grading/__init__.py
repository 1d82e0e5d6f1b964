"""Graded exercises: feedback checks, the exercise generator and the autograder.

* :mod:`course_lib.grading.checks`: what test cells call (bilingual feedback).
* :func:`course_lib.grading.notebook.generate`: ``exercises/`` from ``solutions/``.
* :func:`course_lib.grading.runner.grade`: grade a submission in a separate kernel, in its
  own sandbox (:mod:`course_lib.grading.sandbox`, limits in :mod:`~course_lib.grading.limits`).
* :func:`course_lib.grading.parallel.grade_folder`: a class in parallel, resumable, with
  one feedback file per student (:mod:`course_lib.grading.feedback`).

Command line (``--help`` lists every option; solutions/README.md explains them)::

    python -m course_lib.grading build-solutions [--check]   # solutions/_source/*.txt → solutions/
    python -m course_lib.grading generate [--check]          # solutions/ → exercises/
    python -m course_lib.grading SUBMISSION.ipynb [--json]
    python -m course_lib.grading SUBMISSIONS_DIR --csv grades.csv [--jobs N] [--feedback DIR]
    ... [--memory 2GiB] [--processes 64] [--file-size 256MiB] [--scratch 256MiB]
    ... [--cpu-time 120] [--cpus 1] [--cell-timeout 30] [--call-timeout 10] [--time-limit 600]
    ... [--regrade] [--no-sandbox]
"""
