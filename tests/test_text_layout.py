"""Korean-safe text: aligned columns, keep-all tables, Korean run summaries, the ch11 sketches."""

from __future__ import annotations

import warnings

import matplotlib
import pytest

matplotlib.use("Agg")

from output_language import HANGUL  # noqa: E402

from course_lib.sketches import answer_sketches, loop_diagram  # noqa: E402
from course_lib.text_layout import Table, display_width, pad  # noqa: E402
from course_lib.training import History  # noqa: E402


def test_hangul_takes_two_columns_so_padded_columns_line_up():
    labels = ["정규 방정식", "closed_form", "경사 하강법"]
    rows = [pad(label, 17) + "|" for label in labels]
    assert [display_width(r) for r in rows] == [18, 18, 18]
    # plain str formatting pads by characters and misaligns the Korean rows
    assert len({display_width(f"{label:17}|") for label in labels}) > 1
    assert pad("lr", 6, ">") == "    lr" and pad("η", 3, "^") == " η "
    assert pad("too long", 3) == "too long"
    with pytest.raises(ValueError, match="align must be"):
        pad("x", 3, "=")


def test_table_renders_keep_all_html_markdown_and_aligned_text():
    table = Table([["옵티마이저", "파라미터당 상태"], ["SGD", "0"], ["Adam <b>", "2"]])
    html = table._repr_html_()
    assert 'style="word-break: keep-all;' in html and "<th>파라미터당 상태</th>" in html
    assert "Adam &lt;b&gt;" in html  # cells are escaped
    assert table._repr_markdown_().splitlines()[1] == "|---|---|"
    lines = str(table).splitlines()
    assert display_width(lines[1].split("0")[0]) == display_width(lines[0].split("파")[0])
    with pytest.raises(ValueError, match="same number of cells"):
        Table([["a", "b"], ["c"]])


def _diverged() -> History:
    return History(diverged=True, diverged_at=5, diverged_value=127001263.8,
                   diverged_reason="loss > threshold", divergence_limit=1.2e3, n_epochs=6)


@pytest.mark.parametrize(("history", "ko", "en"), [
    (_diverged(), "스텝 5(0부터 셈, 에폭 6)에서 발산: 손실 = 1.27e+08, 임계값 1.2e+03 초과",
     "diverged at step 5 (counted from 0) in epoch 6: loss = 1.27e+08 exceeded the threshold "
     "1.2e+03"),
    (History(n_epochs=3, n_steps=30, train_loss=[0.5, 0.25]),
     "3 에폭, 30 스텝 완료, 마지막 학습 손실 0.25",
     "finished 3 epoch(s), 30 step(s), final training loss 0.25"),
    (History(n_epochs=9, n_steps=9, stopped_early=True, best_epoch=4),
     "9 에폭, 9 스텝 뒤 조기 종료; 최적 에폭 4",
     "stopped early after 9 epoch(s), 9 step(s); best epoch 4"),
    (History(diverged=True, diverged_at=2, diverged_value=float("inf"),
             diverged_reason="validation loss", n_epochs=2),
     "에폭 2 끝에서 발산 (2 스텝 뒤): 검증 손실 = inf, 유한하지 않음",
     "diverged at the end of epoch 2, after 2 step(s): validation loss = inf is not finite"),
])
def test_history_summary_speaks_both_languages(history, ko, en):
    assert history.summary("ko") == ko
    assert history.summary("en") == en


@pytest.mark.parametrize("draw", [answer_sketches, loop_diagram])
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_sketches_are_labelled_in_the_edition_language(draw, lang):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing Hangul glyph would warn
        fig = draw(lang)
        fig.canvas.draw()
    labels = [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]
    korean = [t for t in labels if HANGUL.search(t)]
    assert (len(korean) >= 5) if lang == "ko" else korean == []
    import matplotlib.pyplot as plt

    plt.close(fig)
