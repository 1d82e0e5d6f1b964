"""Reference optimizers over lists of NumPy arrays, with PyTorch's names and numbers.

>>> import numpy as np
>>> from course_lib.optim import Adam
>>> w = np.array([1.0, 2.0])
>>> opt = Adam([w], lr=0.1)
>>> opt.step([2 * w])            # updates w in place
>>> opt.param_groups[0]["lr"]    # a scheduler or a student changes this
0.1

One optimizer a file, each with its pure update rule (``sgd_update``, ``adam_update``, ...)
holding the formula the lessons print; ``lr_scheduler`` has PyTorch's schedulers,
``schedules`` the same ideas as plain functions, ``clip`` gradient clipping, and
``transforms`` the optax-style composable view (``chain(scale_by_adam(), ...)``).
"""

from course_lib.optim import lr_scheduler, schedules, transforms
from course_lib.optim.adadelta import Adadelta, adadelta_update
from course_lib.optim.adagrad import Adagrad, adagrad_update
from course_lib.optim.adam import Adam, AdamW, adam_update
from course_lib.optim.clip import clip_grad_norm_, clip_grad_value_, total_grad_norm
from course_lib.optim.lamb import LAMB, lamb_update
from course_lib.optim.lr_scheduler import (
    ChainedScheduler,
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    LRScheduler,
    MultiStepLR,
    OneCycleLR,
    SequentialLR,
    StepLR,
)
from course_lib.optim.nadam import NAdam, nadam_update
from course_lib.optim.optimizer import Optimizer
from course_lib.optim.rmsprop import RMSprop, rmsprop_update
from course_lib.optim.schedules import (
    cosine_decay,
    exponential_decay,
    step_decay,
    warmup_then_decay,
)
from course_lib.optim.sgd import SGD, VelocitySGD, sgd_update, sgd_velocity_update

__all__ = [
    "LAMB", "SGD", "Adadelta", "Adagrad", "Adam", "AdamW", "ChainedScheduler",
    "CosineAnnealingLR", "ExponentialLR", "LRScheduler", "LambdaLR", "LinearLR", "MultiStepLR",
    "NAdam", "OneCycleLR", "Optimizer", "RMSprop", "SequentialLR", "StepLR", "VelocitySGD",
    "adadelta_update", "adagrad_update", "adam_update", "clip_grad_norm_", "clip_grad_value_",
    "cosine_decay", "exponential_decay", "lamb_update", "lr_scheduler", "nadam_update",
    "rmsprop_update", "schedules", "sgd_update", "sgd_velocity_update", "step_decay",
    "total_grad_norm", "transforms", "warmup_then_decay",
]
