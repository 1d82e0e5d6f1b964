"""Models the lessons train: a flat list of parameter arrays, a loss and its gradient.

Every model has ``params`` (list of float arrays, updated in place by
:mod:`course_lib.optim` optimizers), ``loss(X, y)``, ``loss_and_grads(X, y) -> (loss,
grads)`` (grads in the order of ``params``), ``predict(X)``, and ``copy_params()`` /
``load_params(values)`` for snapshots.

- :class:`LinearRegression` (MSE = mean((Xw + b − y)²)), :func:`closed_form`,
  :func:`mse_smoothness` (L and μ of the MSE, so lessons can mark 2/L)
- :class:`LogisticRegression` (binary), :class:`SoftmaxRegression` (multiclass)
- :class:`MLP` (any depth; relu / tanh / logistic; softmax / logistic / identity output)
"""

from course_lib.models._base import Model
from course_lib.models.linear import LinearRegression, closed_form, mse_smoothness
from course_lib.models.logistic import LogisticRegression, SoftmaxRegression
from course_lib.models.mlp import MLP, Backprop

__all__ = [
    "MLP",
    "Backprop",
    "LinearRegression",
    "LogisticRegression",
    "Model",
    "SoftmaxRegression",
    "closed_form",
    "mse_smoothness",
]
