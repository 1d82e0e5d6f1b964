"""Language of figure and widget text: Korean (``"ko"``) or English (``"en"``).

Every string a student sees in a figure or widget comes through :func:`text`, so a
notebook switches language with one line: ``set_language("ko")``.  Modules keep their
own labels next to the code that uses them (``text("학습률", "learning rate")``);
the glossary below holds the course's fixed terms so that they read the same everywhere.
"""

from __future__ import annotations

LANGUAGES = ("ko", "en")

_current = "en"
_chosen = False  # whether set_language was called (the quiz falls back on the notebook's folder)

#: The course glossary (COURSE_DESIGN.md): one term, the same words everywhere.
#: ``tests/test_glossary.py`` checks that it agrees with COURSE_DESIGN.md's glossary table.
GLOSSARY: dict[str, tuple[str, str]] = {
    "gradient_descent": ("경사 하강법", "gradient descent"),
    "gradient": ("기울기", "gradient"),
    "loss": ("손실", "loss"),
    "loss_function": ("손실 함수", "loss function"),
    "learning_rate": ("학습률", "learning rate"),
    "parameter": ("파라미터", "parameter"),
    "weight": ("가중치", "weight"),
    "iteration": ("반복", "iteration"),
    "step": ("스텝", "step"),
    "epoch": ("에폭", "epoch"),
    "batch": ("배치", "batch"),
    "mini_batch": ("미니배치", "mini-batch"),
    "batch_size": ("배치 크기", "batch size"),
    "sample": ("샘플", "sample"),
    "sgd": ("확률적 경사 하강법", "stochastic gradient descent"),
    "momentum": ("모멘텀", "momentum"),
    "nesterov": ("네스테로프 모멘텀", "Nesterov momentum"),
    "adaptive_lr": ("적응적 학습률", "adaptive learning rate"),
    "effective_lr": ("실효 학습률", "effective learning rate"),
    "bias_correction": ("편향 보정", "bias correction"),
    "weight_decay": ("가중치 감쇠", "weight decay"),
    "lr_scheduling": ("학습률 스케줄링", "learning-rate scheduling"),
    "warmup": ("워밍업", "warmup"),
    "cosine_annealing": ("코사인 어닐링", "cosine annealing"),
    "one_cycle": ("원사이클", "one-cycle"),
    "gradient_clipping": ("기울기 클리핑", "gradient clipping"),
    "exploding_gradients": ("기울기 폭발", "exploding gradients"),
    "vanishing_gradients": ("기울기 소실", "vanishing gradients"),
    "gradient_accumulation": ("기울기 누적", "gradient accumulation"),
    "mixed_precision": ("혼합 정밀도", "mixed precision"),
    "initialization": ("초기화", "initialisation"),
    "normalization": ("정규화", "normalisation"),
    "regularization": ("규제", "regularisation"),
    "early_stopping": ("조기 종료", "early stopping"),
    "convergence": ("수렴", "convergence"),
    "divergence": ("발산", "divergence"),
    "converged": ("수렴", "converged"),
    "oscillating": ("진동", "oscillating"),
    "diverged": ("발산", "diverged"),
    "noise_floor": ("잡음 바닥", "noise floor"),
    "convex_function": ("볼록 함수", "convex function"),
    "saddle_point": ("안장점", "saddle point"),
    "local_minimum": ("지역 최솟값", "local minimum"),
    "condition_number": ("조건수", "condition number"),
    "hessian": ("헤세 행렬", "Hessian"),
    "closed_form": ("폐형 해", "closed-form solution"),
    "normal_equation": ("정규 방정식", "normal equation"),
    "backpropagation": ("역전파", "backpropagation"),
    "hyperparameter": ("하이퍼파라미터", "hyper-parameter"),
    "train_loss": ("학습 손실", "training loss"),
    "val_loss": ("검증 손실", "validation loss"),
    "gradient_norm": ("기울기 노름", "gradient norm"),
}

#: Variants the glossary rejects, as ``(label, pattern, use instead, when)``.  ``pattern``
#: is a regular expression over Korean text; ``label`` names the entry in an allow marker
#: (``<!-- glossary-allow: LABEL — reason -->`` in a markdown cell, or
#: ``# glossary-allow: LABEL — reason`` on or above a line of code) for a sentence that
#: quotes the wrong form on purpose, as a 흔한 오해 box does.  ``tests/test_glossary.py``
#: scans every place a student reads Korean for these patterns.
REJECTED_FORMS: tuple[tuple[str, str, str, str], ...] = (
    ("닫힌 해", r"닫힌 ?(해|식|형태|꼴)", "폐형 해", "closed-form solution"),
    ("폐해", r"폐해", "폐형 해", "'폐해 해' is a typo of 폐형 해; 폐해 means 'harm'"),
    ("헤시안", r"헤시안", "헤세 행렬", "Hessian"),
    ("정규방정식", r"정규방정식", "정규 방정식", "normal equation"),
    ("원 사이클", r"원 사이클", "원사이클", "one-cycle"),
    ("걸음", r"걸음", "스텝", "one optimizer update; 걸음 only inside the mountain analogy"),
    ("예제", r"예제(별|마다)|[0-9A-Za-z·]개 ?예제|(학습|훈련|검증|테스트|데이터) ?예제"
             r"|예제를 (균등하게|독립적으로|무작위로?|뽑|추출)",
     "샘플", "a data sample; 예제 means a worked example"),
    ("부호 규약", r"부호 ?(규약|관례)", "학습률을 곱하는 위치",
     "the two momentum forms differ in where the learning rate multiplies, not in sign"),
    ("그라디언트", r"그라디언트|그레디언트|(?<!기울기\()그래디언트", "기울기",
     "gradient; 그래디언트 only as the gloss 기울기(그래디언트)"),
    ("에포크", r"에포크|에포치", "에폭", "epoch"),
    ("미니 배치", r"미니 배치", "미니배치", "mini-batch"),
    ("배치 사이즈", r"배치 ?사이즈", "배치 크기", "batch size"),
    ("러닝 레이트", r"러닝 ?레이트", "학습률", "learning rate"),
    ("스텝 사이즈", r"스텝 ?사이즈", "스텝 크기", "step size"),
    ("하이퍼 파라미터", r"하이퍼 파라미터", "하이퍼파라미터", "hyper-parameter"),
    ("옵티마이져", r"옵티마이져", "옵티마이저", "optimizer"),
    ("L2 정규화", r"L[12] ?정규화|정규화 ?(항|강도|계수|벌점|세기)", "L2 규제",
     "regularisation is 규제; 정규화 is normalisation (batch / layer norm, features)"),
    ("유효 학습률", r"(유효|실제|효과적인?) 학습률", "실효 학습률", "effective learning rate"),
    ("잡음 수준", r"잡음 수준", "잡음 바닥", "noise floor"),
    ("기울기 폭주", r"기울기 ?(폭주|소멸)", "기울기 폭발 / 기울기 소실",
     "exploding / vanishing gradients"),
    ("기울기 축적", r"기울기 ?축적", "기울기 누적", "gradient accumulation"),
    ("혼합정밀도", r"혼합정밀도?|혼합 정밀(?!도)", "혼합 정밀도", "mixed precision"),
    ("가중치 감소", r"가중치 감소", "가중치 감쇠", "weight decay"),
    ("편향 교정", r"편향 ?(교정|수정)", "편향 보정", "bias correction"),
    ("스케쥴", r"스케쥴", "스케줄", "schedule (spelling)"),
    ("웜업", r"웜업|워밍 업", "워밍업", "warmup"),
    ("조기종료", r"조기종료|조기 멈춤", "조기 종료", "early stopping"),
    ("안장 점", r"안장 점", "안장점", "saddle point"),
    ("조건 수", r"조건 수(?!렴)", "조건수", "condition number"),
    ("국소 최솟값", r"국소 ?(최솟값|최소값|극소)", "지역 최솟값", "local minimum"),
    ("최소값", r"최소값|최대값", "최솟값 / 최댓값", "spelling (사이시옷)"),
)

#: The same idea for the English edition: the few wordings the course rejects.
REJECTED_FORMS_EN: tuple[tuple[str, str, str, str], ...] = (
    ("sign convention", r"(?i)sign conventions?", "where the learning rate multiplies",
     "the two momentum forms differ in where the learning rate multiplies, not in sign"),
)


def set_language(lang: str) -> str:
    """Choose the language of figure and widget text for the rest of the session.

    Parameters
    ----------
    lang : {"ko", "en"}
        ``"ko"`` for Korean, ``"en"`` for English.

    Returns
    -------
    str
        The language now in force.

    Examples
    --------
    >>> from course_lib import set_language
    >>> set_language("ko")
    'ko'
    """
    global _current, _chosen
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, got {lang!r}")
    _current, _chosen = lang, True
    return _current


def get_language() -> str:
    """Return the language in force, ``"ko"`` or ``"en"``."""
    return _current


def language_was_set() -> bool:
    """Whether :func:`set_language` has been called in this session."""
    return _chosen


def resolve(lang: str | None) -> str:
    """Return ``lang`` if given (after checking it), else the language in force."""
    if lang is None:
        return _current
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES} or None, got {lang!r}")
    return lang


def text(ko: str, en: str, lang: str | None = None) -> str:
    """Pick the Korean or the English wording for the language in force (or ``lang``)."""
    return ko if resolve(lang) == "ko" else en


def term(key: str, lang: str | None = None) -> str:
    """Return a glossary term (see :data:`GLOSSARY`) in the language in force."""
    try:
        ko, en = GLOSSARY[key]
    except KeyError:
        raise KeyError(f"unknown glossary term {key!r}; known: {sorted(GLOSSARY)}") from None
    return text(ko, en, lang)
