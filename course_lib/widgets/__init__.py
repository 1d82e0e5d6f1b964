"""Slider playgrounds for the lessons, one module per playground.

Each function is callable with no arguments and returns an ipywidgets widget (a
:class:`~course_lib.widgets._base.Playground`) whose labels follow
:func:`course_lib.set_language` (or its ``lang`` argument).  A slider move recomputes and
redraws one persistent figure in place (see ``_base.py`` for why that is fast), and without
a front end the widget still displays a static picture of its current state.

=================================  ==========  ==========================================
function                           chapter     what moves
=================================  ==========  ==========================================
:func:`lr_1d_playground`           01          learning rate on a 1-D function, 2/L marked
:func:`linear_regression_playground` 02       lr and iterations: loss curve and fitted line
:func:`batch_size_playground`      03          mini-batch size: the noise of the path
:func:`schedule_explorer`          04          a schedule and its arguments: lr and loss
:func:`momentum_playground`        05          lr and momentum β: GD, momentum, Nesterov paths
:func:`optimizer_race`             06, 07      seven optimizers, one lr slider each
=================================  ==========  ==========================================
"""

from course_lib.widgets._base import FigureView, Playground
from course_lib.widgets.batch_size import batch_size_playground
from course_lib.widgets.linear_regression import linear_regression_playground
from course_lib.widgets.lr_1d import lr_1d_playground
from course_lib.widgets.momentum import momentum_playground
from course_lib.widgets.race import optimizer_race
from course_lib.widgets.schedule import schedule_explorer

__all__ = [
    "FigureView",
    "Playground",
    "batch_size_playground",
    "linear_regression_playground",
    "lr_1d_playground",
    "momentum_playground",
    "optimizer_race",
    "schedule_explorer",
]
