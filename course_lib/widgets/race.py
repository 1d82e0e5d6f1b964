"""Chapters 06-07: seven optimizers race on one landscape, each with its own learning rate.

A common learning rate would not be a fair race: SGD's step is η‖∇f‖ while Adam's is
about η per coordinate, so each optimizer gets its own (logarithmic) slider and a check box.
Only the run whose slider moved is recomputed; the others come from a cache.
"""

from __future__ import annotations

import ipywidgets as widgets

from course_lib.i18n import resolve, term, text
from course_lib.widgets._base import (
    Playground,
    check_in_range,
    dropdown,
    int_slider,
    lr_slider,
)
from course_lib.widgets._race import (
    OPTIMIZERS,
    RaceFigure,
    RunCache,
    check_landscape,
    landscape_options,
    optimizer_label,
)

#: Starting learning rates that make a fair race on the Rosenbrock function.
DEFAULT_LRS = {"sgd": 1e-3, "momentum": 1e-3, "nesterov": 1e-3, "adagrad": 0.3,
               "rmsprop": 0.01, "adam": 0.05, "adamw": 0.05}
_LR_RANGE = (1e-5, 3.0)


def optimizer_race(
    lang: str | None = None,
    *,
    landscape: str = "rosenbrock",
    steps: int = 200,
    lrs: dict[str, float] | None = None,
    optimizers: tuple[str, ...] = tuple(OPTIMIZERS),
) -> Playground:
    """Chapters 06-07 playground: SGD, momentum, Nesterov, AdaGrad, RMSprop, Adam, AdamW.

    Parameters
    ----------
    lang : {"ko", "en"} or None, default=None
        Language of the labels; None uses :func:`course_lib.set_language`'s choice.
    landscape : {"valley", "rosenbrock", "beale", "himmelblau"}, default="rosenbrock"
    steps : int, default=200
        In [10, 500].
    lrs : dict, optional
        Starting learning rate per optimizer (keys of ``optimizers``), each in [1e-5, 3];
        missing ones come from :data:`DEFAULT_LRS`.
    optimizers : tuple of str, default=all seven
        Which runs to show first: "sgd", "momentum", "nesterov", "adagrad", "rmsprop",
        "adam", "adamw".  The others are in the race with their check box cleared.

    Returns
    -------
    Playground
        Controls ``landscape``, ``steps``, ``lr_<name>`` (FloatLogSlider) and
        ``show_<name>`` (Checkbox) for each optimizer.

    Examples
    --------
    >>> pg = optimizer_race("en")
    >>> pg.controls["lr_adam"].value = 0.1
    >>> pg.controls["show_sgd"].value = False
    """
    lang = resolve(lang)
    check_landscape(landscape)
    check_in_range("steps", steps, 10, 500)
    unknown = set(optimizers) - set(OPTIMIZERS)
    if unknown:
        raise ValueError(f"optimizers must be among {list(OPTIMIZERS)}, got {sorted(unknown)}")
    start = {**DEFAULT_LRS, **(lrs or {})}
    if set(start) - set(OPTIMIZERS):
        raise ValueError(f"lrs keys must be among {list(OPTIMIZERS)}, got {sorted(lrs)}")
    for name, value in start.items():
        check_in_range(f"lrs[{name!r}]", value, *_LR_RANGE)

    controls = {
        "landscape": dropdown(text("지형", "landscape", lang), landscape_options(lang), landscape),
        "steps": int_slider(term("step", lang), int(steps), 10, 500, 10),
    }
    for name in OPTIMIZERS:
        controls[f"show_{name}"] = widgets.Checkbox(
            value=name in optimizers, description=optimizer_label(name, lang), indent=False,
            layout=widgets.Layout(width="170px"))
        controls[f"lr_{name}"] = lr_slider(term("learning_rate", lang), start[name], *_LR_RANGE)
    figure = RaceFigure(lang, list(OPTIMIZERS))
    cache = RunCache()

    def update(landscape: str, steps: int, **settings) -> None:
        surface = figure.prepare(landscape, steps)
        figure.show({
            name: cache.run(landscape, surface, name, settings[f"lr_{name}"], steps)
            if settings[f"show_{name}"] else None
            for name in OPTIMIZERS
        })

    rows = [["landscape", "steps"]] + [[f"show_{n}", f"lr_{n}"] for n in OPTIMIZERS]
    return Playground(controls, figure.view, update, layout_rows=rows)
