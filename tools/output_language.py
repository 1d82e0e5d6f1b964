"""Find printed lines of a Korean lesson that are English prose.

A Korean edition speaks Korean in everything it prints (COURSE_DESIGN: one language per
edition).  A printed line passes when it holds Hangul, or when it holds no prose at all:
numbers, code (``n_iter_ = 18``, ``SGD(nesterov=True)``, ``sqrt(G) + eps``), names
(``AdamW``, ``PyTorch``, ``scikit-learn``) and symbols.  Any other word of three or more
letters is prose, and a line with prose but no Hangul is reported.

``notebooks/conftest.py`` applies :func:`english_lines` to the standard output of every
cell of ``notebooks/ko`` while nbval runs it, so the check costs no extra execution.
"""

from __future__ import annotations

import re

HANGUL = re.compile("[\uac00-\ud7a3\u3131-\u318e]")

#: Proper names that are written like ordinary capitalised words.
NAMES = frozenset("""
Adam Adagrad Adadelta Nesterov Polyak Rosenbrock Beale Himmelblau Huber Lion Prodigy
Nadam Kingma Robbins Monro Loshchilov Hutter Cauchy Lipschitz Newton Gauss Hessian
""".split())

#: Lower-case words that are code or mathematics, not prose.
CODE_WORDS = frozenset("""
sqrt log exp argmin argmax eps kappa eta beta alpha lambda sigma theta tau gamma rho nan
inf true false none numpy sklearn torch scikit-learn adam sgd lbfgs relu tanh logistic mse
""".split())

_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`")
_WORD = re.compile(r"(?<![\w.])[A-Za-z][A-Za-z'’-]*[A-Za-z]|(?<![\w.])[A-Za-z]")


def prose_words(line: str) -> list[str]:
    """The words of ``line`` that read as prose (see the module docstring)."""
    text = _QUOTED.sub(" ", line)
    words = []
    for match in _WORD.finditer(text):
        word, end = match.group(), match.end()
        after = text[end:end + 1]
        if after and (after.isalnum() or after in "_.([=") or text[end:end + 2] in (" =", " ("):
            continue  # part of an identifier or a call, or a name being assigned: code
        if text[end:end + 3] == " ==":
            continue
        if len(word) < 3 or any(c.isupper() for c in word[1:]):
            continue  # a symbol (x, lr, mu) or a name in CamelCase / capitals (AdamW, SGD)
        if word in NAMES or word.lower() in CODE_WORDS:
            continue
        words.append(word)
    return words


def english_lines(printed: str) -> list[str]:
    """The lines of ``printed`` with prose but no Hangul (empty when all is Korean or code)."""
    return [line for line in printed.splitlines()
            if not HANGUL.search(line) and prose_words(line)]
