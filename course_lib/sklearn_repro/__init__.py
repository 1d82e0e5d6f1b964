"""scikit-learn's SGDClassifier and MLPClassifier, reproduced exactly in NumPy (chapter 10).

``fit_like_sgd_classifier(X, y, **params)`` and ``fit_like_mlp_classifier(X, y, **params)``
take the estimators' own keyword arguments (a documented subset) and return objects
with the fitted attributes scikit-learn sets (``coef_``, ``intercept_``, ``n_iter_``;
``coefs_``, ``intercepts_``, ``loss_curve_``, ``n_iter_``), holding the same numbers.
Read the two modules next to scikit-learn's source: they are its loops, written out.
"""

from course_lib.sklearn_repro.mlp_classifier import MLPClassifierFit, fit_like_mlp_classifier
from course_lib.sklearn_repro.sgd_classifier import SGDClassifierFit, fit_like_sgd_classifier

__all__ = [
    "MLPClassifierFit",
    "SGDClassifierFit",
    "fit_like_mlp_classifier",
    "fit_like_sgd_classifier",
]
