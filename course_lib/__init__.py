"""course_lib: reference implementations for the 경사 하강법 / Gradient Descent course.

The notebooks import everything they compute more than once from here: optimizers
(:mod:`course_lib.optim`), landscapes, models, training loops, plots and widgets.
``set_language("ko")`` or ``set_language("en")`` chooses the language of figure text.
"""

from course_lib import i18n
from course_lib.i18n import get_language, term, text

__version__ = "0.1.0"


def set_language(lang: str) -> str:
    """Choose ``"ko"`` or ``"en"`` for figure and widget text, and apply the course's plot style.

    The one language line of every lesson.  Besides the language it registers the Korean
    font (so Hangul renders and the minus sign stays), sets small, readable figures, and in
    a kernel attaches each cell's ``# alt:`` descriptions to its figures (:mod:`.alt_text`).

    Examples
    --------
    >>> from course_lib import set_language
    >>> set_language("en")
    'en'
    """
    from course_lib import alt_text  # matplotlib only when a notebook asks for it
    from course_lib.style import apply_style

    lang = i18n.set_language(lang)
    apply_style()
    alt_text.install()
    return lang


__all__ = ["__version__", "get_language", "set_language", "term", "text"]
