"""Chapters 06-07: seven optimizers race on one landscape, each with its own learning rate.

A common learning rate would not be a fair race: SGD's step is η‖∇f‖ while Adam's is
about η per coordinate, so each optimizer gets its own (logarithmic) slider and a check box.
Only the run whose slider moved is recomputed; the others come from a cache.

Every landscape starts from its own settings (:data:`DEFAULT_LRS`, :data:`DEFAULT_STEPS`),
with which every optimizer converges or at least makes steady progress; switching the
landscape moves the sliders to them.  The controls sit in two columns so that the whole
race (controls and picture) fits a 1280 × 800 screen.
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

#: Starting learning rates per landscape, found by a scan of the slider's grid: the smallest
#: one that brings f − f* below 1/1000 of its start (1/100 on Rosenbrock) in the default
#: steps, with the path inside the map, the loss never above 1.5× its start and neither grid
#: neighbour diverging in 500 steps; where none gets there, the one that gets closest.
#: tests/test_widgets.py checks every run.  Adam and AdamW share one, so their curves coincide
#: and the line styles keep both visible.
DEFAULT_LRS: dict[str, dict[str, float]] = {
    "valley": {"sgd": 0.0158, "momentum": 1.58e-3, "nesterov": 1.58e-3, "adagrad": 0.794,
               "rmsprop": 0.0794, "adam": 0.2, "adamw": 0.2},
    "rosenbrock": {"sgd": 1e-3, "momentum": 5.01e-4, "nesterov": 5.01e-4, "adagrad": 0.158,
                   "rmsprop": 0.0158, "adam": 0.0501, "adamw": 0.0501},
    "beale": {"sgd": 7.94e-3, "momentum": 7.94e-4, "nesterov": 7.94e-4, "adagrad": 0.398,
              "rmsprop": 0.0251, "adam": 0.0794, "adamw": 0.0794},
    "himmelblau": {"sgd": 1.26e-3, "momentum": 1.58e-4, "nesterov": 1.58e-4, "adagrad": 0.2,
                   "rmsprop": 0.02, "adam": 0.0398, "adamw": 0.0398},
}
#: Starting number of steps per landscape (Rosenbrock's curved valley needs the most).
DEFAULT_STEPS = {"valley": 100, "rosenbrock": 500, "beale": 200, "himmelblau": 100}
_LR_RANGE = (1e-5, 3.0)


def optimizer_race(
    lang: str | None = None,
    *,
    landscape: str = "rosenbrock",
    steps: int | None = None,
    lrs: dict[str, float] | None = None,
    optimizers: tuple[str, ...] = tuple(OPTIMIZERS),
) -> Playground:
    """Chapters 06-07 playground: SGD, momentum, Nesterov, AdaGrad, RMSprop, Adam, AdamW.

    Parameters
    ----------
    lang : {"ko", "en"} or None, default=None
        Language of the labels; None uses :func:`course_lib.set_language`'s choice.
    landscape : {"valley", "rosenbrock", "beale", "himmelblau"}, default="rosenbrock"
    steps : int, optional
        In [10, 500]; default from :data:`DEFAULT_STEPS`.
    lrs : dict, optional
        Starting learning rate per optimizer (keys of ``optimizers``), each in [1e-5, 3];
        missing ones come from :data:`DEFAULT_LRS` for ``landscape``.
    optimizers : tuple of str, default=all seven
        Which runs to show first: "sgd", "momentum", "nesterov", "adagrad", "rmsprop",
        "adam", "adamw".  The others are in the race with their check box cleared.

    Returns
    -------
    Playground
        Controls ``landscape``, ``steps``, ``lr_<name>`` (FloatLogSlider, disabled while its
        optimizer is not shown) and ``show_<name>`` (Checkbox) for each optimizer.

    Examples
    --------
    >>> pg = optimizer_race("en")
    >>> pg.controls["lr_adam"].value = 0.1
    >>> pg.controls["show_sgd"].value = False
    """
    lang = resolve(lang)
    check_landscape(landscape)
    steps = DEFAULT_STEPS[landscape] if steps is None else steps
    check_in_range("steps", steps, 10, 500)
    unknown = set(optimizers) - set(OPTIMIZERS)
    if unknown:
        raise ValueError(f"optimizers must be among {list(OPTIMIZERS)}, got {sorted(unknown)}")
    start = {**DEFAULT_LRS[landscape], **(lrs or {})}
    if set(start) - set(OPTIMIZERS):
        raise ValueError(f"lrs keys must be among {list(OPTIMIZERS)}, got {sorted(lrs)}")
    for name, value in start.items():
        check_in_range(f"lrs[{name!r}]", value, *_LR_RANGE)

    controls = {
        "landscape": dropdown(text("지형", "landscape", lang), landscape_options(lang), landscape),
        "steps": int_slider(term("step", lang), int(steps), 10, 500, 10),
    }
    for name in OPTIMIZERS:
        show = controls[f"show_{name}"] = widgets.Checkbox(
            value=name in optimizers, description=optimizer_label(name, lang), indent=False,
            layout=widgets.Layout(width="175px"))
        slider = controls[f"lr_{name}"] = lr_slider("η", start[name], *_LR_RANGE, width="225px")
        slider.tooltip = term("learning_rate", lang)
        _enable_with(slider, show)
    figure = RaceFigure(lang, list(OPTIMIZERS))
    cache = RunCache()

    def update(landscape: str, steps: int, **settings) -> None:
        surface = figure.prepare(landscape, steps)
        figure.show({
            name: cache.run(landscape, surface, name, settings[f"lr_{name}"], steps)
            if settings[f"show_{name}"] else None
            for name in OPTIMIZERS
        })

    def preset(key: str) -> dict:
        return {"steps": DEFAULT_STEPS[key],
                **{f"lr_{name}": lr for name, lr in DEFAULT_LRS[key].items()}}

    names = list(OPTIMIZERS)
    pairs = [names[i:i + 2] for i in range(0, len(names), 2)]  # two optimizers a row
    rows = [["landscape", "steps"]] + [[f"{kind}_{n}" for n in pair for kind in ("show", "lr")]
                                       for pair in pairs]
    return Playground(controls, figure.view, update, layout_rows=rows,
                      presets={"landscape": preset})


def _enable_with(slider: widgets.FloatLogSlider, box: widgets.Checkbox) -> None:
    """Grey the slider out while its optimizer is not in the race (moving it would do nothing)."""
    slider.disabled = not box.value
    box.observe(lambda change: setattr(slider, "disabled", not change["new"]), names="value")
