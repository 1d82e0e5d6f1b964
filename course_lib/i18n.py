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
    "sgd": ("확률적 경사 하강법", "stochastic gradient descent"),
    "momentum": ("모멘텀", "momentum"),
    "nesterov": ("네스테로프 모멘텀", "Nesterov momentum"),
    "adaptive_lr": ("적응적 학습률", "adaptive learning rate"),
    "bias_correction": ("편향 보정", "bias correction"),
    "weight_decay": ("가중치 감쇠", "weight decay"),
    "lr_scheduling": ("학습률 스케줄링", "learning-rate scheduling"),
    "warmup": ("워밍업", "warmup"),
    "cosine_annealing": ("코사인 어닐링", "cosine annealing"),
    "gradient_clipping": ("기울기 클리핑", "gradient clipping"),
    "early_stopping": ("조기 종료", "early stopping"),
    "convergence": ("수렴", "convergence"),
    "divergence": ("발산", "divergence"),
    "converged": ("수렴", "converged"),
    "oscillating": ("진동", "oscillating"),
    "diverged": ("발산", "diverged"),
    "convex_function": ("볼록 함수", "convex function"),
    "saddle_point": ("안장점", "saddle point"),
    "local_minimum": ("지역 최솟값", "local minimum"),
    "condition_number": ("조건수", "condition number"),
    "backpropagation": ("역전파", "backpropagation"),
    "hyperparameter": ("하이퍼파라미터", "hyper-parameter"),
    "train_loss": ("학습 손실", "training loss"),
    "val_loss": ("검증 손실", "validation loss"),
    "gradient_norm": ("기울기 노름", "gradient norm"),
}


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
