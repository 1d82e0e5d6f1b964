"""Chapter 05: plain gradient descent, momentum and Nesterov on a valley or Rosenbrock.

One learning rate and one momentum coefficient β for all three runs, so the picture shows
only what momentum changes: fewer zig-zags across a narrow valley, faster progress along
it, and overshooting when β is too close to 1.
"""

from __future__ import annotations

import numpy as np

from course_lib.i18n import resolve, term, text
from course_lib.widgets._base import (
    Playground,
    check_in_range,
    dropdown,
    float_slider,
    int_slider,
    lr_slider,
)
from course_lib.widgets._race import RaceFigure, RunCache, check_landscape, landscape_options

_RUNS = ("sgd", "momentum", "nesterov")

#: Starting settings per landscape: (lr, momentum β, steps).  All three runs converge with
#: them (tests/test_widgets.py); divergence is for the student to provoke, not the first
#: picture.  On Rosenbrock a learning rate of 0.02 diverges at once.
DEFAULTS: dict[str, tuple[float, float, int]] = {
    "valley": (0.02, 0.9, 100),
    "rosenbrock": (6.3e-4, 0.95, 300),
    "beale": (3.2e-3, 0.9, 200),
    "himmelblau": (0.01, 0.5, 100),
}


def momentum_playground(
    lang: str | None = None,
    *,
    landscape: str = "valley",
    lr: float | None = None,
    momentum: float | None = None,
    steps: int | None = None,
) -> Playground:
    """Chapter 05 playground: learning rate and momentum β, three paths on the contours.

    Parameters
    ----------
    lang : {"ko", "en"} or None, default=None
        Language of the labels; None uses :func:`course_lib.set_language`'s choice.
    landscape : {"valley", "rosenbrock", "beale", "himmelblau"}, default="valley"
        "valley" is a quadratic bowl of condition number 50 (L = 50, so 2/L = 0.04).
        Choosing another landscape in the drop-down moves the sliders to its
        :data:`DEFAULTS`.
    lr : float, optional
        Learning rate η, in [1e-4, 0.1] (logarithmic slider); default from :data:`DEFAULTS`.
    momentum : float, optional
        β in [0, 0.99], used by both the momentum and the Nesterov run
        (``course_lib.optim.SGD(momentum=β, nesterov=...)``, PyTorch's form).
    steps : int, optional
        In [10, 300].

    Returns
    -------
    Playground

    Examples
    --------
    >>> pg = momentum_playground("en")
    >>> pg.controls["momentum"].value = 0.5
    >>> sorted(pg.controls)
    ['landscape', 'lr', 'momentum', 'steps']
    """
    lang = resolve(lang)
    check_landscape(landscape)
    default_lr, default_beta, default_steps = DEFAULTS[landscape]
    lr = default_lr if lr is None else lr
    momentum = default_beta if momentum is None else momentum
    steps = default_steps if steps is None else steps
    check_in_range("lr", lr, 1e-4, 0.1)
    check_in_range("momentum", momentum, 0.0, 0.99)
    check_in_range("steps", steps, 10, 300)
    controls = {
        "landscape": dropdown(text("지형", "landscape", lang), landscape_options(lang), landscape),
        "lr": lr_slider(term("learning_rate", lang) + " η", lr, 1e-4, 0.1),
        "momentum": float_slider(term("momentum", lang) + " β", momentum, 0.0, 0.99, 0.01),
        "steps": int_slider(term("step", lang), int(steps), 10, 300, 10),
    }
    labels = {"sgd": text("경사 하강법", "gradient descent", lang),
              "momentum": term("momentum", lang), "nesterov": term("nesterov", lang)}
    figure = RaceFigure(lang, list(_RUNS), labels)
    cache = RunCache()

    def update(landscape: str, lr: float, momentum: float, steps: int) -> None:
        surface = figure.prepare(landscape, steps)
        beta = float(np.round(momentum, 4))
        runs = {"sgd": cache.run(landscape, surface, "sgd", lr, steps)}
        for name in ("momentum", "nesterov"):
            # β = 0 is plain GD (and torch's SGD refuses nesterov=True without momentum).
            runs[name] = runs["sgd"] if beta == 0 else cache.run(
                landscape, surface, name, lr, steps, momentum=beta)
        figure.show(runs)

    def preset(key: str) -> dict:
        lr_, beta, steps_ = DEFAULTS[key]
        return {"lr": lr_, "momentum": beta, "steps": steps_}

    return Playground(controls, figure.view, update,
                      layout_rows=[["landscape", "steps"], ["lr", "momentum"]],
                      presets={"landscape": preset})
