"""Render the printable one-page summary, one A4 page per language.

    python exam/render_summary.py            # writes exam/summary_ko.html, exam/summary_en.html
    python exam/render_summary.py --check    # exit 1 if the committed pages are out of date

The comparison tables come from :mod:`course_lib.quiz.summary` (checked against
course_lib.optim by the tests), the worked numbers are computed by course_lib, and the key
formulas are below.  Print from a browser (A4, "fit to page" off): each page fits one sheet.
"""

from __future__ import annotations

import argparse
import html
import sys
from pathlib import Path

from course_lib.diagnostics import backprop_flops
from course_lib.memory import bytes_per_parameter
from course_lib.optim.schedules import step_decay
from course_lib.quiz.numeric import linear_scaling_lr
from course_lib.quiz.summary import html_table, optimizer_rows, schedule_rows

HERE = Path(__file__).resolve().parent
LANGS = ("ko", "en")

# Worked examples, computed by course_lib so that the sheet cannot disagree with it.
LR_256 = linear_scaling_lr(0.001, 32, 256)
STEP_25 = step_decay(25, initial_lr=0.1, drop=0.5, epochs_drop=10)
ADAM_BYTES = bytes_per_parameter("adam")                     # mixed precision: 16
ZERO3_64 = bytes_per_parameter("adam", zero_stage=3, n_devices=64)
_FWD, _BWD = backprop_flops([64] * 10 + [10], 256)
BACKPROP_RATIO = (_FWD + _BWD) / _FWD                        # ≈ 2.89 forward passes

# (title ko, title en, body): body is a formula (shared) or a (ko, en) pair.
FORMULAS: list[tuple[str, str, str | tuple[str, str]]] = [
    ("경사 하강법", "Gradient descent", "θₜ₊₁ = θₜ − η·∇J(θₜ)"),
    ("미니배치 기울기", "Mini-batch gradient",
     ("ĝ = (1/B)·Σ_{i∈batch} ∇ℓᵢ(θ);  E[ĝ] = ∇J(θ);  Var[ĝ] ∝ 1/B;  1 에폭 = ⌈n/B⌉ 스텝",
      "ĝ = (1/B)·Σ_{i∈batch} ∇ℓᵢ(θ);  E[ĝ] = ∇J(θ);  Var[ĝ] ∝ 1/B;  1 epoch = ⌈n/B⌉ steps")),
    ("수렴(L-매끄러움)", "Convergence (L-smooth)",
     ("η ≤ 1/L: 매 스텝 J 감소, 볼록: J(θₜ) − J* ≤ ‖θ₀ − θ*‖²/(2ηt);  "
      "2차 함수: η > 2/L이면 발산;  η = 2/(L+μ)에서 수렴비 (κ−1)/(κ+1), κ = L/μ",
      "η ≤ 1/L: J decreases every step, convex: J(θₜ) − J* ≤ ‖θ₀ − θ*‖²/(2ηt);  "
      "quadratic: diverges if η > 2/L;  rate (κ−1)/(κ+1) at η = 2/(L+μ), κ = L/μ")),
    ("Robbins–Monro (1951)", "Robbins–Monro (1951)",
     ("Σₜ ηₜ = ∞,  Σₜ ηₜ² < ∞   (예: ηₜ = c/t)", "Σₜ ηₜ = ∞,  Σₜ ηₜ² < ∞   (e.g. ηₜ = c/t)")),
    ("모멘텀 두 형태", "Two momentum forms",
     ("v ← μv − ηg; θ ← θ + v  ≡  b ← μb + g; θ ← θ − ηb  (η가 일정할 때만; 차이는 학습률을 곱하는 "
      "위치)",
      "v ← μv − ηg; θ ← θ + v  ≡  b ← μb + g; θ ← θ − ηb  (only while η is constant; they "
      "differ in where η multiplies)")),
    ("기울기 클리핑(노름)", "Gradient clipping (norm)", "g ← g·min(1, c/(‖g‖ + 10⁻⁶))"),
    ("선형 스케일링(Goyal et al. 2017)", "Linear scaling (Goyal et al. 2017)",
     (f"η_new = η_base·B_new/B_base + 워밍업;  0.001 @ 32 → {LR_256:g} @ 256",
      f"η_new = η_base·B_new/B_base + warmup;  0.001 @ 32 → {LR_256:g} @ 256")),
    ("스텝 감쇠 예", "Step decay example",
     f"η₀ = 0.1, γ = 0.5, s = 10:  η(25) = 0.1·0.5^⌊25/10⌋ = {STEP_25:g}"),
    ("AdamW vs Adam + L2", "AdamW vs Adam + L2",
     ("Adam+L2: g ← g + λθ (1/√v̂로 다시 스케일됨);  AdamW: θ ← θ(1 − ηλ) (스케일 안 됨)",
      "Adam+L2: g ← g + λθ (rescaled by 1/√v̂);  AdamW: θ ← θ(1 − ηλ) (not rescaled)")),
    ("초기화(Glorot 2010, He 2015)", "Initialisation (Glorot 2010, He 2015)",
     ("Var W = 2/(n_in + n_out) (tanh) · 2/n_in (ReLU): 층당 기울기 배율 ≈ 1 (시트 11)",
      "Var W = 2/(n_in + n_out) (tanh) · 2/n_in (ReLU): gradient factor per layer ≈ 1 (sheet 11)")),
    ("역전파", "Backpropagation",
     (f"δₗ₋₁ = (δₗWₗᵀ) ⊙ act′(zₗ₋₁), ∇Wₗ = aₗ₋₁ᵀδₗ;  비용 ≈ 순전파의 {BACKPROP_RATIO:.2f}배 "
      "(course_lib, 10층 MLP)",
      f"δₗ₋₁ = (δₗWₗᵀ) ⊙ act′(zₗ₋₁), ∇Wₗ = aₗ₋₁ᵀδₗ;  cost ≈ {BACKPROP_RATIO:.2f} forward "
      "passes (course_lib, 10-layer MLP)")),
    ("모델 상태 메모리(ZeRO)", "Model-state memory (ZeRO)",
     (f"혼합 정밀도 Adam 2 + 2 + 12 = {ADAM_BYTES:g} B/파라미터;  ZeRO-3, N_d = 64: {ZERO3_64:g} B",
      f"mixed-precision Adam 2 + 2 + 12 = {ADAM_BYTES:g} B per parameter;  ZeRO-3, N_d = 64: "
      f"{ZERO3_64:g} B")),
    ("SAM (Foret et al. 2021)", "SAM (Foret et al. 2021)",
     ("ε̂ = ρ·g/‖g‖;  θ ← θ − η·∇J(θ + ε̂)  (스텝당 기울기 2회)",
      "ε̂ = ρ·g/‖g‖;  θ ← θ − η·∇J(θ + ε̂)  (two gradients per step)")),
]

TEXT = {
    "title": ("경사 하강법 한 장 요약 — 기술사 대비", "Gradient descent on one page — exam review"),
    "formulas": ("핵심 공식", "Key formulas"),
    "optimizers": ("옵티마이저 비교", "Optimizers compared"),
    "schedules": ("학습률 스케줄링", "Learning-rate schedules"),
    "structure": ("답안 구조", "Answer structure"),
    "structure_body": (
        "Ⅰ 개요(정의·등장 배경) → Ⅱ 구성 요소와 원리(그림 + 식) → Ⅲ 비교(표) → "
        "Ⅳ 적용(상황별 선택·주의점) → Ⅴ 기대 효과와 결론(측정 가능한 효과, 한계, 전망)",
        "I Overview (definition, background) → II Components and principles (sketch + "
        "formula) → III Comparison (table) → IV Application (choice by situation, pitfalls) "
        "→ V Expected effects and conclusion (measurable effects, limits, outlook)"),
    "defaults_note": (
        "기본값은 course_lib.optim의 값이며 PyTorch의 기본값과 같음. LAMB는 PyTorch에 없음: "
        "course_lib.optim.LAMB의 기본값(You et al. 2020, 알고리즘 2).",
        "Defaults are course_lib.optim's, equal to PyTorch's. PyTorch has no LAMB: its row "
        "shows course_lib.optim.LAMB's defaults (You et al. 2020, Algorithm 2)."),
    "pitfalls": ("흔한 오해", "Common misconceptions"),
    "pitfalls_body": (
        ["AdaBound(Luo et al. 2019)에는 학습률이 있음(Adam의 스텝을 경계로 제한). "
         "학습률 없는 방법의 예: D-Adaptation(2023), Prodigy(2024).",
         "스텝 감쇠의 지수는 ⌊t/s⌋(바닥 함수)임.",
         "AdaGrad의 ε: PyTorch는 √G + ε, scikit-learn Adam은 ε 위치가 PyTorch와 다름.",
         "워밍업은 에폭 0에서 η > 0이어야 함. 조기 종료는 patience 후 최적 가중치를 복원함.",
         "GPT-4의 파라미터 수·GPU 수는 공개되지 않음(떠도는 수치는 비공식 추정치).",
         "Adam 첫 스텝 크기가 |g|와 무관한 이유는 √v̂로 나누기 때문(보정이 없으면 약 3.16η).",
         "혼합 정밀도는 Adam의 모델 상태를 줄이지 않음(fp32도 16 B/파라미터): 이득은 활성값·속도.",
         "출처 없는 '2~5배 빠름', '정확도 10% 향상' 같은 수치는 사실이 아니라 주장임."],
        ["AdaBound (Luo et al. 2019) has a learning rate (it bounds Adam's steps). "
         "Learning-rate-free examples: D-Adaptation (2023), Prodigy (2024).",
         "Step decay uses the floor ⌊t/s⌋ in the exponent.",
         "AdaGrad's ε: PyTorch uses √G + ε; scikit-learn's Adam places ε differently from "
         "PyTorch.",
         "Warmup must give η > 0 at epoch 0; early stopping restores the best weights after "
         "`patience`.",
         "GPT-4's parameter and GPU counts are not published (circulating figures are "
         "unofficial estimates).",
         "Adam's first step does not depend on |g| because of the division by √v̂ (without "
         "the corrections it is about 3.16η).",
         "Mixed precision does not shrink Adam's model states (fp32 is 16 bytes per parameter "
         "too): it saves activations and time.",
         "Unsourced figures such as '2–5× faster' or '+10 % accuracy' are claims, not facts."]),
    "refs": ("참고문헌", "References"),
}

REFERENCES = (
    "Robbins & Monro 1951 · Polyak 1964 · Nesterov 1983 · Duchi, Hazan & Singer 2011 · "
    "Hinton, Coursera lecture 6e, 2012 · Zeiler 2012 · Dozat 2016 · Kingma & Ba 2015 · "
    "Smith 2017 (CLR), 2018 · Loshchilov & Hutter 2017 (SGDR), 2019 (AdamW) · "
    "Goyal et al. 2017 · You, Gitman & Ginsburg 2017 (LARS) · You et al. 2020 (LAMB) · "
    "Reddi, Kale & Kumar 2018 (AMSGrad) · Luo et al. 2019 (AdaBound) · "
    "Martens & Grosse 2015 (K-FAC) · Gupta, Koren & Singer 2018 (Shampoo) · "
    "Defazio & Mishchenko 2023 (D-Adaptation) · Mishchenko & Defazio 2024 (Prodigy) · "
    "Glorot & Bengio 2010 · He et al. 2015 · Ioffe & Szegedy 2015 · Rajbhandari et al. 2020 "
    "(ZeRO) · Foret et al. 2021 (SAM)"
)

CSS = """
@page { size: A4 landscape; margin: 7mm; }
body { font-family: "Noto Sans KR", "NanumGothic", "Malgun Gothic", sans-serif;
       font-size: 7pt; line-height: 1.18; margin: 0; color: #111; }
h1 { font-size: 11pt; margin: 0 0 3px 0; }
h2 { font-size: 8.4pt; margin: 5px 0 2px 0; border-bottom: 1px solid #888; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #aaa; padding: 1px 3px; vertical-align: top; text-align: left; }
th { background: #eee; }
.cols { column-count: 2; column-gap: 10px; }
.formula { break-inside: avoid; margin: 0 0 2px 0; }
.formula b { display: inline-block; min-width: 9em; }
ul { margin: 0; padding-left: 14px; column-count: 2; column-gap: 18px; }
p { margin: 2px 0; }
p.note { font-size: 6.4pt; color: #444; }
:lang(ko) { word-break: keep-all; }
"""


def _t(key: str, lang: str):
    ko, en = TEXT[key]
    return ko if lang == "ko" else en


def render_summary_html(lang: str) -> str:
    """The one-page summary in ``lang`` as a standalone HTML document."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    esc = html.escape
    def pick(x):
        return x if isinstance(x, str) else x[LANGS.index(lang)]

    formulas = "".join(
        f"<p class='formula'><b>{esc(pick((ko, en)))}</b> {esc(pick(body))}</p>"
        for ko, en, body in FORMULAS)
    pitfalls = "".join(f"<li>{esc(s)}</li>" for s in _t("pitfalls_body", lang))
    return "\n".join([
        "<!DOCTYPE html>",
        f"<html lang='{lang}'><head><meta charset='utf-8'>",
        f"<title>{esc(_t('title', lang))}</title><style>{CSS}</style></head><body>",
        f"<h1>{esc(_t('title', lang))}</h1>",
        f"<h2>{esc(_t('structure', lang))}</h2><p>{esc(_t('structure_body', lang))}</p>",
        f"<h2>{esc(_t('formulas', lang))}</h2><div class='cols'>{formulas}</div>",
        f"<h2>{esc(_t('optimizers', lang))}</h2>{html_table(optimizer_rows(lang))}",
        f"<p class='note'>{esc(_t('defaults_note', lang))}</p>",
        f"<h2>{esc(_t('schedules', lang))}</h2>{html_table(schedule_rows(lang))}",
        f"<h2>{esc(_t('pitfalls', lang))}</h2><ul>{pitfalls}</ul>",
        f"<h2>{esc(_t('refs', lang))}</h2><p>{esc(REFERENCES)}</p>",
        "</body></html>",
        "",
    ])


def output_path(lang: str) -> Path:
    return HERE / f"summary_{lang}.html"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if a committed page differs")
    args = parser.parse_args(argv)
    stale = []
    for lang in LANGS:
        page, path = render_summary_html(lang), output_path(lang)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != page:
                stale.append(path.name)
        else:
            path.write_text(page, encoding="utf-8")
            print(f"wrote {path}")
    if stale:
        print("out of date: " + ", ".join(stale) + "; run python exam/render_summary.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
