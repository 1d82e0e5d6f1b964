"""The playgrounds: build in both languages, redraw in place, never leak figures or warn.

Reference values come from closed forms (GD on a parabola, schedule formulas) and from
scikit-learn's LinearRegression, never from the widgets themselves.
"""

from __future__ import annotations

import base64
import io
import math
import re
import warnings

import ipywidgets
import matplotlib

matplotlib.use("Agg")

import matplotlib.figure  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from course_lib import landscapes, set_language, widgets  # noqa: E402
from course_lib.widgets.linear_regression import run_linear_gd  # noqa: E402
from course_lib.widgets.lr_1d import run_gd_1d  # noqa: E402
from course_lib.widgets.schedule import schedule_lrs  # noqa: E402

PLAYGROUNDS = ["lr_1d_playground", "linear_regression_playground", "batch_size_playground",
               "schedule_explorer", "momentum_playground", "optimizer_race"]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
HANGUL = re.compile("[가-힣]")

#: Settings that must diverge, chosen from the known thresholds (2/L and friends).
DIVERGING = {
    "lr_1d_playground": {"lr": 3.0},                     # parabola: 2/L = 2
    "linear_regression_playground": {"lr": 2.0},         # 2/L ≈ 1 for x ~ N(0, 1)
    "batch_size_playground": {"lr": 1.0, "batch_size": 1},
    "schedule_explorer": {"schedule": "constant", "lr": 1.0},   # bowl L = 10: 2/L = 0.2
    "momentum_playground": {"lr": 0.1},                  # valley L = 50: 2/L = 0.04
    "optimizer_race": {"lr_sgd": 3.0},
}


@pytest.fixture(autouse=True)
def _english_and_clean():
    set_language("en")
    yield
    set_language("en")
    plt.close("all")


def build(name: str, lang: str | None = None):
    return getattr(widgets, name)(lang)


def texts_of(pg) -> str:
    return "\n".join(t.get_text() for t in pg.view.fig.findobj(Text))


def extremes(control):
    if isinstance(control, ipywidgets.FloatLogSlider):
        return [control.base ** control.min, control.base ** control.max]
    if isinstance(control, (ipywidgets.IntSlider, ipywidgets.FloatSlider)):
        return [control.min, control.max]
    if isinstance(control, ipywidgets.SelectionSlider):
        return [control.options[0], control.options[-1]]
    if isinstance(control, ipywidgets.Dropdown):
        return [v for _, v in control.options]
    if isinstance(control, ipywidgets.Checkbox):
        return [False, True]
    raise AssertionError(f"unexpected control {control!r}")


# --------------------------------------------------------------------------- building


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("name", PLAYGROUNDS)
def test_builds_with_no_arguments_in_the_language_set(name, lang):
    set_language(lang)
    pg = getattr(widgets, name)()
    assert isinstance(pg, ipywidgets.DOMWidget)
    assert pg.png.startswith(PNG_MAGIC)
    labels = " ".join(c.description for c in pg.controls.values()) + texts_of(pg)
    if lang == "ko":
        assert HANGUL.search(labels), labels
    else:
        assert not HANGUL.search(labels), labels
    lrs = [c for key, c in pg.controls.items() if key.startswith("lr")]
    assert lrs and all(isinstance(c, ipywidgets.FloatLogSlider) for c in lrs)
    assert all(c.max - c.min >= 2 for c in lrs)  # learning rates span at least two decades


def test_lang_argument_overrides_the_session_language():
    set_language("en")
    pg = build("momentum_playground", "ko")
    assert HANGUL.search(" ".join(c.description for c in pg.controls.values()))


# --------------------------------------------------------------------------- redrawing


@pytest.mark.parametrize("name", PLAYGROUNDS)
def test_every_slider_move_changes_the_picture(name):
    pg = build(name)
    for key, control in pg.controls.items():
        if isinstance(control, ipywidgets.Dropdown) or control.layout.display == "none":
            continue  # drop-downs switch the whole figure; hidden controls are not in use
        start = control.value
        value = next(v for v in extremes(control) if v != start)
        before = pg.png
        control.value = value
        assert pg.png != before, f"{name}: moving {key} to {value} changed nothing"
        control.value = start  # the next control starts from the default state again


STEP_CONTROLS = {"lr_1d_playground": "steps", "linear_regression_playground": "iterations",
                 "batch_size_playground": "epochs", "schedule_explorer": "steps",
                 "momentum_playground": "steps", "optimizer_race": "steps"}


@pytest.mark.parametrize("name", PLAYGROUNDS)
def test_redrawing_one_axes_gives_the_same_pixels_as_a_full_redraw(name):
    # A step-count move changes one axis and redraws only that axes over the cached rest.
    from PIL import Image

    pg = build(name)
    control = pg.controls[STEP_CONTROLS[name]]
    for value in (control.max, control.min):
        control.value = value
        partial = np.asarray(Image.open(io.BytesIO(pg.png)))
        pg.view.invalidate()  # everything
        pg.redraw()
        np.testing.assert_array_equal(partial, np.asarray(Image.open(io.BytesIO(pg.png))))


@pytest.mark.parametrize("name", PLAYGROUNDS)
def test_extreme_values_make_no_figure_and_no_warning(name, monkeypatch):
    made = []
    original = matplotlib.figure.Figure.__init__

    def counting(self, *args, **kwargs):
        made.append(self)
        original(self, *args, **kwargs)

    pg = build(name)
    monkeypatch.setattr(matplotlib.figure.Figure, "__init__", counting)
    fignums = plt.get_fignums()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for control in pg.controls.values():  # every control to both ends, one by one
            for value in extremes(control):
                control.value = value
        for control in pg.controls.values():  # then all to their maximum together
            control.value = extremes(control)[-1]
    assert made == [], f"{name} made {len(made)} new figures while its controls moved"
    assert plt.get_fignums() == fignums
    assert pg.png.startswith(PNG_MAGIC)


DIVERGENCE_CASES = [(name, "en", "diverged at step") for name in PLAYGROUNDS] + [
    ("lr_1d_playground", "ko", "에서 발산"), ("optimizer_race", "ko", "에서 발산")]


@pytest.mark.parametrize("name,lang,word", DIVERGENCE_CASES)
def test_diverging_settings_say_so_in_the_figure(name, lang, word):
    pg = build(name, lang)
    assert word not in texts_of(pg), "the default state should not diverge"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for key, value in DIVERGING[name].items():
            pg.controls[key].value = value
    assert word in texts_of(pg)


# --------------------------------------------------------------------------- without a front end


def test_display_data_carries_a_static_picture_of_the_current_state():
    from IPython.core.formatters import DisplayFormatter

    pg = build("lr_1d_playground")
    pg.controls["lr"].value = 2.5
    data, _ = DisplayFormatter().format(pg)
    assert "application/vnd.jupyter.widget-view+json" in data
    assert base64.b64decode(data["image/png"]) == pg.png


@pytest.mark.slow
def test_executed_notebook_keeps_a_picture_for_viewers_without_widgets():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "from course_lib import set_language\nfrom course_lib.widgets import lr_1d_playground\n"
        "set_language('ko')\nlr_1d_playground()")])
    nbclient.NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    outputs = nb.cells[0].outputs
    assert [o.output_type for o in outputs] == ["execute_result"]  # no stderr, no warning
    assert base64.b64decode(outputs[0].data["image/png"]).startswith(PNG_MAGIC)


# --------------------------------------------------------------------------- the numbers shown


@pytest.mark.parametrize("lr", [0.3, 1.5, 1.9])
def test_gd_1d_path_is_the_closed_form(lr):
    # On f = x²/2 (L = 1) one step is x ← (1 − lr) x.
    path, diverged_at = run_gd_1d(landscapes.parabola(1.0), 3.0, lr, 20)
    assert diverged_at is None
    np.testing.assert_allclose(path, 3.0 * (1 - lr) ** np.arange(21), rtol=1e-12)


@pytest.mark.parametrize("lr", [2.1, 2.5, 3.0])
def test_gd_1d_divergence_step_is_where_the_path_leaves_the_plot(lr):
    # |x_k| = 3 |1 − lr|^k first exceeds the plotted bound 4 (and f then exceeds f(x0)).
    expected = math.ceil(math.log(4 / 3) / math.log(lr - 1) + 1e-12)
    _, diverged_at = run_gd_1d(landscapes.parabola(1.0), 3.0, lr, 50)
    assert diverged_at == expected


def test_lr_1d_marks_two_over_L_and_the_regimes():
    pg = build("lr_1d_playground")
    assert "2/L = 2" in texts_of(pg)
    pg.controls["lr"].value = 1.5  # between 1/L and 2/L: oscillating, converging
    assert "oscillating" in texts_of(pg)
    pg.controls["lr"].value = 0.5
    assert "converged" in texts_of(pg)


def test_linear_regression_reaches_scikit_learns_fit():
    from sklearn.linear_model import LinearRegression

    from course_lib import data

    X, y = data.linear_data(40, noise=1.0, seed=0)
    ref = LinearRegression().fit(X, y)
    thetas, losses, diverged_at = run_linear_gd(X, y, lr=0.3, iterations=300)
    assert diverged_at is None
    np.testing.assert_allclose(thetas[-1], [ref.coef_[0], ref.intercept_], atol=1e-8)
    assert losses[-1] == pytest.approx(np.mean((ref.predict(X) - y) ** 2), rel=1e-10)
    pg = build("linear_regression_playground")
    pg.controls["iterations"].value = 300
    pg.controls["lr"].value = 0.3
    assert f"w={ref.coef_[0]:.2f}, b={ref.intercept_:.2f}" in texts_of(pg)


def test_schedules_follow_their_formulas():
    t = np.arange(100)
    np.testing.assert_allclose(schedule_lrs("step", 0.1, 100, step_size=20, gamma=0.5),
                               0.1 * 0.5 ** np.floor(t / 20), rtol=1e-12)
    np.testing.assert_allclose(schedule_lrs("exponential", 0.1, 100, gamma=0.9),
                               0.1 * 0.9**t, rtol=1e-10)
    np.testing.assert_allclose(schedule_lrs("cosine", 0.1, 100),
                               0.05 * (1 + np.cos(np.pi * t / 100)), atol=1e-12)
    warm = schedule_lrs("warmup_cosine", 0.1, 100, warmup=10)
    # torch's LinearLR: factor s + (1 − s)·t/w with s = 1/w, then cosine over the rest.
    np.testing.assert_allclose(warm[:10], 0.1 * (0.1 + 0.9 * t[:10] / 10), rtol=1e-10)
    np.testing.assert_allclose(warm[10:], 0.05 * (1 + np.cos(np.pi * (t[10:] - 10) / 90)),
                               atol=1e-12)
    assert warm[0] > 0  # seed erratum 4: the first step already learns


def test_race_recomputes_only_the_run_whose_slider_moved(monkeypatch):
    from course_lib import training

    pg = build("optimizer_race")
    calls = []
    original = training.gradient_descent
    monkeypatch.setattr(training, "gradient_descent",
                        lambda *a, **k: calls.append(k.get("optimizer")) or original(*a, **k))
    pg.controls["lr_adam"].value = 0.2
    assert len(calls) == 1


@pytest.mark.parametrize("lr,steps", [(1e-3, 130), (0.02, 7), (3.0, 150)])
def test_cut_runs_equal_runs_of_that_length(lr, steps):
    from course_lib import training
    from course_lib.widgets._race import RunCache

    rosen = landscapes.rosenbrock()
    ours = RunCache().run("rosenbrock", rosen, "sgd", lr, steps)
    ref = training.gradient_descent(rosen, lr=lr, steps=steps)
    np.testing.assert_array_equal(ours.path, ref.path)
    np.testing.assert_array_equal(ours.losses, ref.losses)
    assert (ours.diverged, ours.diverged_at) == (ref.diverged, ref.diverged_at)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("name,kwargs,argument", [
    ("lr_1d_playground", {"lr": -0.1}, "lr"),
    ("lr_1d_playground", {"function": "nope"}, "function"),
    ("lr_1d_playground", {"steps": 0}, "steps"),
    ("linear_regression_playground", {"lr": 5.0}, "lr"),
    ("batch_size_playground", {"batch_size": 3}, "batch_size"),
    ("schedule_explorer", {"schedule": "linear"}, "schedule"),
    ("momentum_playground", {"momentum": 1.0}, "momentum"),
    ("optimizer_race", {"lrs": {"adam": 0.0}}, "lrs"),
    ("optimizer_race", {"optimizers": ("lbfgs",)}, "optimizers"),
])
def test_bad_arguments_name_themselves(name, kwargs, argument):
    with pytest.raises(ValueError, match=argument):
        getattr(widgets, name)(**kwargs)


def test_bad_language_is_refused():
    with pytest.raises(ValueError, match="lang"):
        widgets.lr_1d_playground("fr")


# --------------------------------------------------------------------------- labels and legends


def legend_texts(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_race_legend_names_only_the_visible_runs_in_the_glossarys_words(lang):
    from course_lib.i18n import GLOSSARY

    momentum, nesterov = (GLOSSARY[k][0 if lang == "ko" else 1] for k in ("momentum", "nesterov"))
    pg = widgets.optimizer_race(lang, optimizers=("sgd", "momentum", "adagrad", "rmsprop"))
    ax_loss = pg.view.fig.axes[1]
    assert legend_texts(ax_loss) == ["SGD", f"SGD + {momentum}", "AdaGrad", "RMSprop"]
    pg.controls["show_nesterov"].value = True
    pg.controls["show_sgd"].value = False
    assert legend_texts(ax_loss) == [f"SGD + {momentum}", nesterov, "AdaGrad", "RMSprop"]
    assert pg.controls["show_nesterov"].description == nesterov
    for name in ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"):
        pg.controls[f"show_{name}"].value = False
    assert ax_loss.get_legend() is None
    assert pg.png.startswith(PNG_MAGIC)


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("name", ["momentum_playground", "optimizer_race"])
def test_map_title_is_the_drop_down_label(name, lang):
    pg = build(name, lang)
    dropdown = pg.controls["landscape"]
    for key in ("valley", "rosenbrock"):
        dropdown.value = key
        label = next(text for text, value in dropdown.options if value == key)
        assert pg.view.fig.axes[0].get_title() == label
    assert "50" in dict((v, t) for t, v in dropdown.options)["valley"]  # κ of the valley


@pytest.mark.parametrize("lang,note,constant", [
    ("en", "lr: start 0.1 → end 0.00625", "constant learning rate"),
    ("ko", "학습률: 처음 0.1 → 마지막 0.00625", "고정 학습률"),
])
def test_schedule_note_states_start_and_end_lr_plainly(lang, note, constant):
    # StepLR defaults of the explorer: step_size 20, gamma 0.5 over 100 steps, so the last
    # step (t = 99) uses 0.1 · 0.5^⌊99/20⌋ = 0.1 · 0.5^4 = 0.00625.
    pg = widgets.schedule_explorer(lang, schedule="step", lr=0.1, steps=100)
    assert note in texts_of(pg)
    ax_loss = pg.view.fig.axes[1]
    assert legend_texts(ax_loss) == [constant, dict(
        (v, t) for t, v in pg.controls["schedule"].options)["step"]]
    assert ax_loss.get_legend().get_frame_on()


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("lr_range,shown", [((0.01, 4.0), 3), ((0.01, 3.0), {"ko": 3, "en": 2}),
                                            ((0.01, 2.1), 2)])
def test_lr_strip_band_labels_stay_inside_their_bands(lang, lr_range, shown):
    from course_lib.i18n import term

    # Labels shrink no further than MIN_FONT_SIZE: "diverged" does not fit in [2, 3] at 10 pt.
    shown = shown[lang] if isinstance(shown, dict) else shown
    pg = widgets.lr_1d_playground(lang, lr_range=lr_range, lr=0.3)
    strip = pg.view.fig.axes[2]
    renderer = pg.view.fig.canvas.get_renderer()
    names = [term(k, lang) for k in ("converged", "oscillating", "diverged")]
    labels = sorted((t for t in strip.texts if t.get_text() in names),
                    key=lambda t: names.index(t.get_text()))
    assert len(labels) == 3
    # parabola, L = 1: bands [lo, 1], [1, 2], [2, hi]
    edges = strip.transData.transform([(x, 0.5) for x in (lr_range[0], 1.0, 2.0, lr_range[1])])
    boxes = [t.get_window_extent(renderer) for t in labels]
    for label, box, left, right in zip(labels, boxes, edges[:-1, 0], edges[1:, 0], strict=True):
        assert not label.get_visible() or left < box.x0 and box.x1 < right, label.get_text()
    visible = [b for t, b in zip(labels, boxes, strict=True) if t.get_visible()]
    assert len(visible) == shown  # a band too narrow for its word (2 to 2.1) shows none
    assert not any(overlap(a, b) for i, a in enumerate(visible) for b in visible[i + 1:])


def test_batch_size_legends_name_both_runs_and_the_loss_axis_has_no_minor_labels():
    from matplotlib.ticker import NullFormatter

    pg = widgets.batch_size_playground("en", batch_size=8, n_samples=64)
    ax_map, ax_loss = pg.view.fig.axes
    assert legend_texts(ax_map) == ["batch (B = 64)", "mini-batch (B = 8)"]
    assert legend_texts(ax_loss)[:2] == ["batch (B = 64)", "mini-batch (B = 8)"]
    pg.controls["batch_size"].value = 2
    assert legend_texts(ax_map)[1] == "mini-batch (B = 2)"
    assert isinstance(ax_loss.yaxis.get_minor_formatter(), NullFormatter)
    pg.view.fig.canvas.draw()
    low, high = ax_loss.get_ylim()
    ticks = [(loc, t.get_text()) for loc, t in zip(ax_loss.get_yticks(),
                                                   ax_loss.get_yticklabels(), strict=True)
             if low <= loc <= high]
    # the labelled ticks inside the axis are 1, 2, 5 × 10^k, written as plain numbers
    assert len(ticks) >= 3
    for loc, label in ticks:
        assert float(label) == pytest.approx(loc)
        mantissa = loc / 10 ** math.floor(math.log10(loc) + 1e-9)
        assert any(mantissa == pytest.approx(m) for m in (1, 2, 5)), loc
    assert not any(t.get_text() for t in ax_loss.yaxis.get_minorticklabels())


def test_fit_steps_moves_the_axis_only_when_its_limit_changes():
    view = widgets.FigureView()
    ax_a, ax_b = view.fig.subplots(1, 2)
    view.fit_steps(7, ax_a, ax_b)            # limits step through 10, 20, 50, 100, ...
    assert ax_a.get_xlim() == ax_b.get_xlim() == (0.0, 10.0)
    first = view.render()
    ax_a.set_xlim(0, 3)                      # a hand change is not tracked ...
    view.fit_steps(9, ax_a)                  # ... so a move within the same limit keeps it
    assert ax_a.get_xlim() == (0.0, 3.0)
    view.fit_steps(11, ax_a)
    assert ax_a.get_xlim() == (0.0, 20.0) and ax_b.get_xlim() == (0.0, 10.0)
    assert view.render() != first            # the changed axes was redrawn, not blitted
    ax_a.clear()
    view.reset()                             # after clearing, the next fit_steps sets it again
    view.fit_steps(11, ax_a)
    assert ax_a.get_xlim() == (0.0, 20.0)
