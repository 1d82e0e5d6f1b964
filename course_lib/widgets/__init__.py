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
=================================  ==========  ==========================================
"""

from course_lib.widgets._base import FigureView, Playground
from course_lib.widgets.lr_1d import lr_1d_playground

__all__ = ["FigureView", "Playground", "lr_1d_playground"]
