"""Comparison tables of optimizers and schedules, and the printable one-page summary.

The rows are data, used three ways: chapter 11 shows them as Markdown
(:func:`optimizer_table`, :func:`schedule_table`), ``exam/render_summary.py`` renders them
with the key formulas as a one-page HTML sheet per language (:func:`render_summary_html`),
and the tests check them against course_lib: the "state per parameter" column against the
arrays each ``course_lib.optim`` optimizer really keeps, the defaults against the
optimizers' signatures, and each schedule formula against ``course_lib.optim.schedules``.
"""

from __future__ import annotations

import html
import inspect
from dataclasses import dataclass

from course_lib.i18n import resolve
from course_lib.quiz.bank import _fmt

Pair = tuple[str, str]  # (ko, en)


@dataclass(frozen=True)
class OptimizerRow:
    name: str
    cls: str                      # class in course_lib.optim
    kwargs: dict                  # constructor arguments that select the variant
    hyper: tuple[str, ...]        # hyper-parameters shown with their defaults
    rule: str                     # update rule, g = gradient
    state: int                    # arrays of the parameter's size kept between steps
    strengths: Pair
    use: Pair
    source: str


OPTIMIZERS: tuple[OptimizerRow, ...] = (
    OptimizerRow("SGD", "SGD", {}, ("lr",), "θ ← θ − η·g", 0,
                 ("단순, 메모리 최소, 잡음이 일반화에 도움이 되기도 함",
                  "simple, least memory; its noise sometimes helps generalisation"),
                 ("볼록 문제, 기준선", "convex problems, baselines"), "Robbins & Monro 1951"),
    OptimizerRow("SGD + momentum", "SGD", {"momentum": 0.9}, ("lr", "momentum"),
                 "b ← μb + g;  θ ← θ − η·b", 1,
                 ("골짜기의 지그재그 감쇠, 일관된 방향 가속",
                  "damps zig-zag in valleys, speeds up consistent directions"),
                 ("CNN 이미지 분류(+ 스케줄)", "CNN image classification (+ a schedule)"),
                 "Polyak 1964"),
    OptimizerRow("Nesterov", "SGD", {"momentum": 0.9, "nesterov": True}, ("lr", "momentum"),
                 "b ← μb + g;  θ ← θ − η·(g + μb)", 1,
                 ("앞의 지점 기울기로 지나침을 일찍 교정", "look-ahead corrects overshoot earlier"),
                 ("모멘텀 SGD를 쓰는 곳", "wherever momentum SGD is used"), "Nesterov 1983"),
    OptimizerRow("AdaGrad", "Adagrad", {}, ("lr", "eps"), "G ← G + g²;  θ ← θ − η·g/(√G + ε)", 1,
                 ("희소 특성에 큰 실효 스텝", "large effective steps for sparse features"),
                 ("희소 특성의 선형 모델", "linear models on sparse features"),
                 "Duchi et al. 2011"),
    OptimizerRow("RMSprop", "RMSprop", {}, ("lr", "alpha", "eps"),
                 "v ← αv + (1−α)g²;  θ ← θ − η·g/(√v + ε)", 1,
                 ("AdaGrad의 학습률 소멸을 이동 평균으로 해결",
                  "moving average fixes AdaGrad's vanishing rate"),
                 ("RNN, 강화 학습", "RNNs, reinforcement learning"), "Hinton 2012 (lecture 6e)"),
    OptimizerRow("Adadelta", "Adadelta", {}, ("lr", "rho", "eps"),
                 "v ← ρv + (1−ρ)g²;  Δ = √(u + ε)/√(v + ε)·g;  u ← ρu + (1−ρ)Δ²;  θ ← θ − η·Δ",
                 2, ("단위를 맞춘 스텝, 전역 학습률 민감도 낮음",
                     "unit-consistent steps, little sensitivity to the global rate"),
                 ("역사적 비교", "historical comparison"), "Zeiler 2012"),
    OptimizerRow("Adam", "Adam", {}, ("lr", "betas", "eps"),
                 "m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  "
                 "θ ← θ − η·m̂/(√v̂ + ε),  m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)", 2,
                 ("모멘텀 + 좌표별 스케일, 기본값으로 잘 시작",
                  "momentum + per-coordinate scale; good defaults"),
                 ("NLP, 트랜스포머, 첫 시도", "NLP, Transformers, a first try"),
                 "Kingma & Ba 2015"),
    OptimizerRow("AdamW", "AdamW", {}, ("lr", "betas", "eps", "weight_decay"),
                 "θ ← θ(1 − ηλ);  θ ← θ − η·m̂/(√v̂ + ε)", 2,
                 ("분리된 가중치 감쇠: 모든 가중치를 같은 비율로 감쇠",
                  "decoupled weight decay shrinks all weights at the same rate"),
                 ("트랜스포머·LLM 학습", "Transformer / LLM training"), "Loshchilov & Hutter 2019"),
    OptimizerRow("NAdam", "NAdam", {}, ("lr", "betas", "eps", "momentum_decay"),
                 "θ ← θ − η·(β₁m̂ + (1−β₁)g/(1−β₁ᵗ))/(√v̂ + ε)  (≈)", 2,
                 ("Adam + 네스테로프 모멘텀", "Adam + Nesterov momentum"),
                 ("Adam 대안", "an Adam alternative"), "Dozat 2016"),
    OptimizerRow("LAMB", "LAMB", {}, ("lr", "betas", "eps", "weight_decay"),
                 "r = m̂/(√v̂ + ε) + λθ;  θ ← θ − η·(‖θ‖/‖r‖)·r  (per layer)", 2,
                 ("층별 신뢰 비율로 큰 배치 안정화",
                  "layer-wise trust ratio stabilises large batches"),
                 ("큰 배치 사전 학습(BERT)", "large-batch pre-training (BERT)"), "You et al. 2020"),
)


@dataclass(frozen=True)
class ScheduleRow:
    name: Pair
    formula: str
    torch: str
    note: Pair


SCHEDULES: tuple[ScheduleRow, ...] = (
    ScheduleRow(("스텝 감쇠", "step decay"), "η₀·γ^⌊t/s⌋", "StepLR(step_size=s, gamma=γ)",
                ("s 에폭마다 계단식 감소(바닥 함수)", "drops in stairs every s epochs (floor)")),
    ScheduleRow(("지수 감쇠", "exponential decay"), "η₀·γᵗ", "ExponentialLR(gamma=γ)",
                ("매 에폭 같은 비율로 감소", "the same ratio every epoch")),
    ScheduleRow(("코사인 어닐링", "cosine annealing"), "η_min + ½(η₀ − η_min)(1 + cos(πt/T))",
                "CosineAnnealingLR(T_max=T, eta_min)",
                ("부드럽게 η_min까지; SGDR(Loshchilov & Hutter 2017)",
                 "smoothly down to η_min; SGDR (Loshchilov & Hutter 2017)")),
    ScheduleRow(("선형 워밍업", "linear warmup"), "η₀·(t + 1)/W  (t < W)",
                "LinearLR(start_factor=1/W, total_iters=W − 1)",
                ("첫 에폭부터 η > 0; 큰 배치·트랜스포머에 사용(Goyal et al. 2017)",
                 "η > 0 from epoch 0; for large batches and Transformers (Goyal et al. 2017)")),
    ScheduleRow(("원사이클", "one-cycle"), "η: low → η_max → ≪ η₀;  μ: reverse",
                "OneCycleLR(max_lr, total_steps)",
                ("한 주기로 올렸다 내림(Smith 2018)",
                 "one rise and fall over the run (Smith 2018)")),
    ScheduleRow(("1/t 감쇠", "1/t decay"), "η₀/(1 + t/τ)", "LambdaLR(lambda t: 1/(1 + t/τ))",
                ("Σηₜ = ∞, Σηₜ² < ∞ (Robbins & Monro 1951)",
                 "Σηₜ = ∞, Σηₜ² < ∞ (Robbins & Monro 1951)")),
)

_HEAD = {
    "optimizer": (("옵티마이저", "업데이트 규칙", "파라미터당 상태",
                   "하이퍼파라미터 (기본값; *는 기본값이 아닌 흔히 쓰는 값)",
                   "장점", "대표 용도", "출처"),
                  ("optimizer", "update rule", "state per parameter",
                   "hyper-parameters (defaults; * a common setting, not the default)",
                   "strengths",
                   "typical use", "source")),
    "schedule": (("스케줄", "η(t)", "PyTorch", "특징"), ("schedule", "η(t)", "PyTorch", "notes")),
}


def defaults_text(row: OptimizerRow) -> str:
    """The row's hyper-parameters with course_lib.optim's defaults (PyTorch's), as text.

    A value the row sets itself (momentum 0.9: torch's default is 0) is not a default and
    is marked with ``*``.

    Examples
    --------
    >>> defaults_text(OPTIMIZERS[1])
    'lr=0.001, momentum=0.9*'
    """
    import course_lib.optim as optim

    params = inspect.signature(getattr(optim, row.cls)).parameters
    shown = []
    for name in row.hyper:
        default = params[name].default
        value = row.kwargs.get(name, default)
        shown.append(f"{name}={_fmt(value)}" + ("" if value == default else "*"))
    return ", ".join(shown)


def _pick(pair: Pair, lang: str) -> str:
    return pair[0] if lang == "ko" else pair[1]


def optimizer_rows(lang: str | None = None) -> list[list[str]]:
    """The optimizer comparison as rows of strings (header first)."""
    lang = resolve(lang)
    head = list(_pick(_HEAD["optimizer"], lang))
    return [head] + [[r.name, r.rule, str(r.state), defaults_text(r), _pick(r.strengths, lang),
                      _pick(r.use, lang), r.source] for r in OPTIMIZERS]


def schedule_rows(lang: str | None = None) -> list[list[str]]:
    """The schedule comparison as rows of strings (header first)."""
    lang = resolve(lang)
    head = list(_pick(_HEAD["schedule"], lang))
    return [head] + [[_pick(r.name, lang), r.formula, r.torch, _pick(r.note, lang)]
                     for r in SCHEDULES]


def _markdown(rows: list[list[str]]) -> str:
    def cell(s: str) -> str:
        return s.replace("|", "\\|")

    lines = ["| " + " | ".join(cell(c) for c in rows[0]) + " |",
             "|" + "---|" * len(rows[0])]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows[1:]]
    return "\n".join(lines)


def optimizer_table(lang: str | None = None) -> str:
    """The optimizer comparison table as Markdown (for ``IPython.display.Markdown``).

    Examples
    --------
    >>> optimizer_table("en").splitlines()[0].split(" | ")[:3]
    ['| optimizer', 'update rule', 'state per parameter']
    """
    return _markdown(optimizer_rows(lang))


def schedule_table(lang: str | None = None) -> str:
    """The learning-rate schedule table as Markdown."""
    return _markdown(schedule_rows(lang))


def html_table(rows: list[list[str]]) -> str:
    """Rows of strings (header first) as an escaped HTML table."""
    def esc(s: str) -> str:
        return html.escape(s, quote=False)

    head = "".join(f"<th>{esc(c)}</th>" for c in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>"
                   for row in rows[1:])
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
