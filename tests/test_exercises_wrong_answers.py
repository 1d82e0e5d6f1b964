"""Plausible wrong answers, each checked against its question's test cell, in this process.

Every wrong answer below must fail its question's full test cell (visible and hidden
checks), so the grader gives it 0; those marked ``visible`` must already fail the visible
checks a student runs, with feedback that names the input, the expected and the received
value. Correct answers written differently from the model answers must pass. The cells
run here exactly as in a student's kernel; no kernel is started, so the file takes seconds
(the grader's own isolation is tested end to end in ``test_grading.py``).
"""

from __future__ import annotations

import contextlib
import io
import re
from functools import cache

import pytest

from course_lib.grading import notebook as nbg
from course_lib.grading.checks import CheckFailed

# "## grade_id | what the student got wrong | visible or hidden", then the answer cell.
WRONG = """
## ex01_q1 | missing factor 2 | visible
def grad_f(x):
    return x - 3.0

## ex01_q1 | sign flipped | visible
def grad_f(x):
    return 2.0 * (3.0 - x)

## ex01_q2 | start not included | visible
def gd_1d(x0, lr, steps):
    xs=[float(x0)]
    for _ in range(steps):
        xs.append(xs[-1]-lr*grad_f(xs[-1]))
    return np.array(xs[1:])

## ex01_q2 | gradient ascent | visible
def gd_1d(x0, lr, steps):
    xs=[float(x0)]
    for _ in range(steps):
        xs.append(xs[-1]+lr*grad_f(xs[-1]))
    return np.array(xs)

## ex01_q2 | one step too many | visible
def gd_1d(x0, lr, steps):
    xs=[float(x0)]
    for _ in range(steps+1):
        xs.append(xs[-1]-lr*grad_f(xs[-1]))
    return np.array(xs)

## ex01_q3 | boundary r=-1 as diverge | visible
def classify_lr(lr):
    if not np.isfinite(lr) or lr <= 0: raise ValueError('lr')
    r = 1-2*lr
    return 'converge' if r >= 0 else ('oscillate' if r > -1 else 'diverge')

## ex01_q3 | no validation | visible
def classify_lr(lr):
    r = 1-2*lr
    return 'converge' if r >= 0 else ('oscillate' if r >= -1 else 'diverge')

## ex01_q3 | nan accepted | hidden
def classify_lr(lr):
    if lr <= 0: raise ValueError('lr')
    r = 1-2*lr
    return 'converge' if r >= 0 else ('oscillate' if r >= -1 else 'diverge')

## ex01_q3 | r=0 as oscillate | hidden
def classify_lr(lr):
    if not np.isfinite(lr) or lr <= 0: raise ValueError('lr')
    r = 1-2*lr
    return 'converge' if r > 0 else ('oscillate' if r >= -1 else 'diverge')

## ex02_q1 | missing 2 | visible
def mse_grad(X, y, w, b):
    r = X@w+b-y
    return X.T@r/len(y), float(r.mean())

## ex02_q1 | sum not mean | visible
def mse_grad(X, y, w, b):
    r = X@w+b-y
    return 2*X.T@r, float(2*r.sum())

## ex02_q1 | residual sign | visible
def mse_grad(X, y, w, b):
    r = y-X@w-b
    return 2*X.T@r/len(y), float(2*r.mean())

## ex02_q2 | bias never updated | visible
def fit_gd(X, y, lr, steps):
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(steps):
        gw, gb = mse_grad(X, y, w, b)
        w = w - lr*gw
    return w, b

## ex02_q2 | off by one | visible
def fit_gd(X, y, lr, steps):
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(steps+1):
        gw, gb = mse_grad(X, y, w, b)
        w, b = w - lr*gw, b-lr*gb
    return w, b

## ex02_q2 | sequential update uses new w for b | visible
def fit_gd(X, y, lr, steps):
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(steps):
        gw, _ = mse_grad(X, y, w, b)
        w = w - lr*gw
        _, gb = mse_grad(X, y, w, b)
        b = b - lr*gb
    return w, b

## ex02_q3 | no bias column (seed erratum 1) | visible
def closed_form(X, y):
    w = np.linalg.solve(X.T@X, X.T@y)
    return w, 0.0

## ex02_q3 | bias column first, split wrong | visible
def closed_form(X, y):
    A = np.column_stack([np.ones(len(X)), X])
    t = np.linalg.lstsq(A, y, rcond=None)[0]
    return t[:-1], float(t[-1])

## ex03_q1 | floor division | visible
def n_batches(n_samples, batch_size):
    if batch_size < 1: raise ValueError('bs')
    return n_samples // batch_size

## ex03_q1 | always +1 | visible
def n_batches(n_samples, batch_size):
    if batch_size < 1: raise ValueError('bs')
    return n_samples // batch_size + 1

## ex03_q1 | no validation | visible
def n_batches(n_samples, batch_size):
    return -(-n_samples // max(batch_size, 1))

## ex03_q2 | drops last partial batch | visible
def minibatches(X, y, batch_size, seed):
    p = np.random.default_rng(seed).permutation(len(X))
    for s in range(0, len(X) - batch_size + 1, batch_size):
        yield X[p[s:s+batch_size]], y[p[s:s+batch_size]]

## ex03_q2 | no shuffle | visible
def minibatches(X, y, batch_size, seed):
    for s in range(0, len(X), batch_size):
        yield X[s:s+batch_size], y[s:s+batch_size]

## ex03_q2 | shuffles X and y separately | visible
def minibatches(X, y, batch_size, seed):
    rng = np.random.default_rng(seed)
    px, py = rng.permutation(len(X)), rng.permutation(len(X))
    for s in range(0, len(X), batch_size):
        yield X[px[s:s+batch_size]], y[py[s:s+batch_size]]

## ex03_q2 | legacy np.random.seed permutation | visible
def minibatches(X, y, batch_size, seed):
    np.random.seed(seed)
    p = np.random.permutation(len(X))
    for s in range(0, len(X), batch_size):
        yield X[p[s:s+batch_size]], y[p[s:s+batch_size]]

## ex03_q2 | sampling with replacement | visible
def minibatches(X, y, batch_size, seed):
    rng = np.random.default_rng(seed)
    for s in range(0, len(X), batch_size):
        i = rng.integers(0, len(X), min(batch_size, len(X)-s))
        yield X[i], y[i]

## ex03_q3 | divides by full batch size | visible
def sgd_epoch(X, y, w, lr, batch_size, seed):
    w = np.array(w, dtype=float)
    for Xb, yb in minibatches(X, y, batch_size, seed):
        w = w - lr*2.0/batch_size*Xb.T@(Xb@w-yb)
    return w

## ex03_q3 | sum instead of mean | visible
def sgd_epoch(X, y, w, lr, batch_size, seed):
    w = np.array(w, dtype=float)
    for Xb, yb in minibatches(X, y, batch_size, seed):
        w = w - lr*2.0*Xb.T@(Xb@w-yb)
    return w

## ex03_q3 | full-batch gradient each step | visible
def sgd_epoch(X, y, w, lr, batch_size, seed):
    w = np.array(w, dtype=float)
    for Xb, yb in minibatches(X, y, batch_size, seed):
        w = w - lr*2.0/len(y)*X.T@(X@w-y)
    return w

## ex04_q1 | no floor (seed erratum 8) | visible
def step_decay(lr0, gamma, step_size, t):
    return lr0 * gamma ** (t / step_size)

## ex04_q1 | decays one step early | visible
def step_decay(lr0, gamma, step_size, t):
    return lr0 * gamma ** ((t + 1) // step_size)

## ex04_q2 | missing 1/2 | visible
def cosine_lr(t, lr_max, T_max, lr_min=0.0):
    return lr_min + (lr_max-lr_min)*(1+math.cos(math.pi*t/T_max))

## ex04_q2 | ignores lr_min | visible
def cosine_lr(t, lr_max, T_max, lr_min=0.0):
    return 0.5*lr_max*(1+math.cos(math.pi*t/T_max))

## ex04_q2 | lr_min added without subtracting | visible
def cosine_lr(t, lr_max, T_max, lr_min=0.0):
    return lr_min + 0.5*lr_max*(1+math.cos(math.pi*t/T_max))

## ex04_q3 | warmup from 0 (seed erratum 4) | visible
def warmup_cosine(t, lr_max, warmup_steps, total_steps, lr_min=0.0):
    if t < warmup_steps:
        return lr_max * t / warmup_steps
    return cosine_lr(t-warmup_steps, lr_max, total_steps-warmup_steps, lr_min)

## ex04_q3 | cosine not shifted | visible
def warmup_cosine(t, lr_max, warmup_steps, total_steps, lr_min=0.0):
    if t < warmup_steps:
        return lr_max * (t+1) / warmup_steps
    return cosine_lr(t, lr_max, total_steps, lr_min)

## ex04_q3 | warmup ignores lr_min? divides by warmup+1 | visible
def warmup_cosine(t, lr_max, warmup_steps, total_steps, lr_min=0.0):
    if t < warmup_steps:
        return lr_max * (t+1) / (warmup_steps+1)
    return cosine_lr(t-warmup_steps, lr_max, total_steps-warmup_steps, lr_min)

## ex04_q3 | drops lr_min in cosine part | visible
def warmup_cosine(t, lr_max, warmup_steps, total_steps, lr_min=0.0):
    if t < warmup_steps:
        return lr_max * (t+1) / warmup_steps
    return cosine_lr(t-warmup_steps, lr_max, total_steps-warmup_steps)

## ex05_q1 | lr inside buffer (velocity form) | visible
def momentum_step(w, g, buf, lr, momentum):
    buf = momentum*buf - lr*g
    return w + buf, buf

## ex05_q1 | EMA buffer (1-beta) g | visible
def momentum_step(w, g, buf, lr, momentum):
    buf = momentum*buf + (1-momentum)*g
    return w - lr*buf, buf

## ex05_q1 | uses old buffer for step | visible
def momentum_step(w, g, buf, lr, momentum):
    new = momentum*buf + g
    return w - lr*buf, new

## ex05_q2 | nesterov uses old buffer | visible
def nesterov_step(w, g, buf, lr, momentum):
    new = momentum*buf + g
    return w - lr*(g + momentum*buf), new

## ex05_q2 | nesterov = plain momentum | visible
def nesterov_step(w, g, buf, lr, momentum):
    buf = momentum*buf + g
    return w - lr*buf, buf

## ex05_q3 | buffer starts at 0, so step 1 is dampened | visible
def dampened_step(w, g, buf, lr, momentum, dampening):
    if buf is None:
        buf = np.zeros_like(g)
    buf = momentum * buf + (1 - dampening) * g
    return w - lr * buf, buf

## ex05_q3 | dampening multiplies g by tau, not 1 - tau | visible
def dampened_step(w, g, buf, lr, momentum, dampening):
    buf = g.copy() if buf is None else momentum * buf + dampening * g
    return w - lr * buf, buf

## ex05_q3 | dampening also on the old buffer (an EMA) | visible
def dampened_step(w, g, buf, lr, momentum, dampening):
    if buf is None:
        return w - lr * g, g.copy()
    buf = (1 - dampening) * (momentum * buf + g)
    return w - lr * buf, buf

## ex05_q3 | dampening ignored | visible
def dampened_step(w, g, buf, lr, momentum, dampening):
    buf = g.copy() if buf is None else momentum * buf + g
    return w - lr * buf, buf

## ex05_q4 | grad without 25 | visible
def run_valley(lr, momentum, nesterov, steps):
    w, buf = np.array([10.0, 1.0]), np.zeros(2)
    path=[w]
    step = nesterov_step if nesterov else momentum_step
    for _ in range(steps):
        w, buf = step(w, w, buf, lr, momentum)
        path.append(w)
    return np.array(path)

## ex05_q4 | ignores nesterov flag | visible
def run_valley(lr, momentum, nesterov, steps):
    w, buf = np.array([10.0, 1.0]), np.zeros(2)
    path=[w]
    for _ in range(steps):
        w, buf = momentum_step(w, w*np.array([1.0,25.0]), buf, lr, momentum)
        path.append(w)
    return np.array(path)

## ex05_q4 | start not included | visible
def run_valley(lr, momentum, nesterov, steps):
    w, buf = np.array([10.0, 1.0]), np.zeros(2)
    path=[]
    step = nesterov_step if nesterov else momentum_step
    for _ in range(steps):
        w, buf = step(w, w*np.array([1.0,25.0]), buf, lr, momentum)
        path.append(w)
    return np.array(path)

## ex05_q4 | in-place w: every row aliases | visible
def run_valley(lr, momentum, nesterov, steps):
    w, buf = np.array([10.0, 1.0]), np.zeros(2)
    path=[w]
    step = nesterov_step if nesterov else momentum_step
    for _ in range(steps):
        nw, buf = step(w, w*np.array([1.0,25.0]), buf, lr, momentum)
        w[:] = nw
        path.append(w)
    return np.array(path)

## ex06_q1 | eps inside sqrt (seed erratum 6) | visible
def adagrad_step(w, g, state_sum, lr, eps=1e-10):
    s = state_sum + g*g
    return w - lr*g/np.sqrt(s+eps), s

## ex06_q1 | uses old sum | visible
def adagrad_step(w, g, state_sum, lr, eps=1e-10):
    s = state_sum + g*g
    return w - lr*g/(np.sqrt(state_sum)+eps), s

## ex06_q1 | sum of abs(g), not g^2 | visible
def adagrad_step(w, g, state_sum, lr, eps=1e-10):
    s = state_sum + np.abs(g)
    return w - lr*g/(np.sqrt(s)+eps), s

## ex06_q2 | eps inside sqrt | visible
def rmsprop_step(w, g, square_avg, lr, alpha=0.99, eps=1e-8):
    s = alpha*square_avg + (1-alpha)*g*g
    return w - lr*g/np.sqrt(s+eps), s

## ex06_q2 | alpha swapped | visible
def rmsprop_step(w, g, square_avg, lr, alpha=0.99, eps=1e-8):
    s = (1-alpha)*square_avg + alpha*g*g
    return w - lr*g/(np.sqrt(s)+eps), s

## ex06_q2 | adam-like bias correction | visible
def rmsprop_step(w, g, square_avg, lr, alpha=0.99, eps=1e-8):
    s = alpha*square_avg + (1-alpha)*g*g
    return w - lr*g/(np.sqrt(s/(1-alpha))+eps), s

## ex06_q3 | uses total G for every step | visible
def adagrad_effective_lr(grads, lr, eps=1e-10):
    g = np.asarray(grads)
    return np.tile(lr/(np.sqrt((g**2).sum(0))+eps), (len(g),1))

## ex06_q3 | G before adding step's grad | visible
def adagrad_effective_lr(grads, lr, eps=1e-10):
    g = np.asarray(grads)
    G = np.vstack([np.zeros(g.shape[1]), np.cumsum(g**2,0)[:-1]])
    return lr/(np.sqrt(G)+eps)

## ex06_q3 | eps inside sqrt | visible
def adagrad_effective_lr(grads, lr, eps=1e-10):
    return lr/np.sqrt(np.cumsum(np.asarray(grads)**2,0)+eps)

## ex07_q1 | no bias correction | visible
def adam_step(w, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1*m+(1-beta1)*g
    v = beta2*v+(1-beta2)*g*g
    return w-lr*m/(np.sqrt(v)+eps), m, v

## ex07_q1 | eps inside sqrt | visible
def adam_step(w, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1*m+(1-beta1)*g
    v = beta2*v+(1-beta2)*g*g
    return w-lr*(m/(1-beta1**t))/np.sqrt(v/(1-beta2**t)+eps), m, v

## ex07_q1 | returns corrected moments | visible
def adam_step(w, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = (beta1*m+(1-beta1)*g)/(1-beta1**t)
    v = (beta2*v+(1-beta2)*g*g)/(1-beta2**t)
    return w-lr*m/(np.sqrt(v)+eps), m, v

## ex07_q1 | t counted from 0 (t+1) | visible
def adam_step(w, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1*m+(1-beta1)*g
    v = beta2*v+(1-beta2)*g*g
    return w-lr*(m/(1-beta1**(t+1)))/(np.sqrt(v/(1-beta2**(t+1)))+eps), m, v

## ex07_q1 | only m corrected | visible
def adam_step(w, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1*m+(1-beta1)*g
    v = beta2*v+(1-beta2)*g*g
    return w-lr*(m/(1-beta1**t))/(np.sqrt(v)+eps), m, v

## ex07_q1 | scikit-learn's eps placement (erratum 6) | visible
def adam_step(w, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1*m+(1-beta1)*g
    v = beta2*v+(1-beta2)*g*g
    lr_t = lr*np.sqrt(1-beta2**t)/(1-beta1**t)
    return w-lr_t*m/(np.sqrt(v)+eps), m, v

## ex07_q2 | decay after the Adam step | visible
def adamw_step(w, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    w2, m, v = adam_step(w, g, m, v, t, lr, beta1, beta2, eps)
    return w2 - lr*weight_decay*w2, m, v

## ex07_q2 | decay without lr | visible
def adamw_step(w, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    return adam_step(w*(1-weight_decay), g, m, v, t, lr, beta1, beta2, eps)

## ex07_q2 | L2 instead of decoupled | visible
def adamw_step(w, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    return adam_step(w, g+weight_decay*w, m, v, t, lr, beta1, beta2, eps)

## ex07_q3 | decoupled instead of L2 | visible
def adam_l2_step(w, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    return adam_step(w*(1-lr*weight_decay), g, m, v, t, lr, beta1, beta2, eps)

## ex07_q3 | L2 only on m | visible
def adam_l2_step(w, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    g2 = g + weight_decay*w
    m = beta1*m+(1-beta1)*g2
    v = beta2*v+(1-beta2)*g*g
    return w-lr*(m/(1-beta1**t))/(np.sqrt(v/(1-beta2**t))+eps), m, v

## ex07_q3 | decay 1/2 lambda w | visible
def adam_l2_step(w, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    return adam_step(w, g+0.5*weight_decay*w, m, v, t, lr, beta1, beta2, eps)

## ex08_q1 | per-array norms | visible
def clip_grad_norm(grads, max_norm):
    out=[g*min(1.0, max_norm/(np.linalg.norm(g)+1e-6)) for g in grads]
    return out, float(np.sqrt(sum((g**2).sum() for g in grads)))

## ex08_q1 | always rescales | visible
def clip_grad_norm(grads, max_norm):
    n=float(np.sqrt(sum((g**2).sum() for g in grads)))
    return [g*max_norm/(n+1e-6) for g in grads], n

## ex08_q1 | returns norm after clipping | visible
def clip_grad_norm(grads, max_norm):
    n=float(np.sqrt(sum((g**2).sum() for g in grads)))
    c=min(1.0, max_norm/(n+1e-6))
    return [g*c for g in grads], n*c

## ex08_q1 | without the 1e-6 | visible
def clip_grad_norm(grads, max_norm):
    n=float(np.sqrt(sum((g**2).sum() for g in grads)))
    c=min(1.0, max_norm/n)
    return [g*c for g in grads], n

## ex08_q1 | clip by value | visible
def clip_grad_norm(grads, max_norm):
    n=float(np.sqrt(sum((g**2).sum() for g in grads)))
    return [np.clip(g, -max_norm, max_norm) for g in grads], n

## ex08_q2 | seed rule (erratum 5) | visible
def early_stopping(val_losses, patience, min_delta=0.0):
    v=list(val_losses)
    for i in range(len(v)):
        if i>=1 and v[i] > min(v[max(0,i-patience):i]):
            return int(np.argmin(v[:i+1])), i
    return int(np.argmin(v)), None

## ex08_q2 | equal counts as improvement | visible
def early_stopping(val_losses, patience, min_delta=0.0):
    best, be, wait = float('inf'), None, 0
    for e, l in enumerate(val_losses):
        if l <= best - min_delta:
            best, be, wait = l, e, 0
        else:
            wait += 1
            if wait >= patience: return be, e
    return be, None

## ex08_q2 | wait > patience | visible
def early_stopping(val_losses, patience, min_delta=0.0):
    best, be, wait = float('inf'), None, 0
    for e, l in enumerate(val_losses):
        if l < best - min_delta:
            best, be, wait = l, e, 0
        else:
            wait += 1
            if wait > patience: return be, e
    return be, None

## ex08_q2 | min_delta ignored | visible
def early_stopping(val_losses, patience, min_delta=0.0):
    best, be, wait = float('inf'), None, 0
    for e, l in enumerate(val_losses):
        if l < best:
            best, be, wait = l, e, 0
        else:
            wait += 1
            if wait >= patience: return be, e
    return be, None

## ex08_q2 | best updated on small gain without resetting wait | visible
def early_stopping(val_losses, patience, min_delta=0.0):
    best, be, wait = float('inf'), None, 0
    for e, l in enumerate(val_losses):
        if l < best - min_delta:
            best, be, wait = l, e, 0
        else:
            if l < best: best, be = l, e
            wait += 1
            if wait >= patience: return be, e
    return be, None

## ex08_q2 | wait not reset (counts all non-improvements) | visible
def early_stopping(val_losses, patience, min_delta=0.0):
    best, be, wait = float('inf'), None, 0
    for e, l in enumerate(val_losses):
        if l < best - min_delta:
            best, be = l, e
        else:
            wait += 1
            if wait >= patience: return be, e
    return be, None

## ex08_q2 | returns last epoch as best | visible
def early_stopping(val_losses, patience, min_delta=0.0):
    best, be, wait = float('inf'), None, 0
    for e, l in enumerate(val_losses):
        if l < best - min_delta:
            best, be, wait = l, e, 0
        else:
            wait += 1
            if wait >= patience: return e, e
    return be, None

## ex08_q3 | no 2/n | visible
def smoothness(X):
    return float(np.linalg.eigvalsh(X.T@X)[-1])

## ex08_q3 | 1/n (forgot 2) | visible
def smoothness(X):
    return float(np.linalg.eigvalsh(X.T@X)[-1]/len(X))

## ex08_q3 | smallest eigenvalue | visible
def smoothness(X):
    return float(2/len(X)*np.linalg.eigvalsh(X.T@X)[0])

## ex08_q3 | trace | visible
def smoothness(X):
    return float(2/len(X)*np.trace(X.T@X))

## ex08_q3 | largest singular value not squared | visible
def smoothness(X):
    return float(2/len(X)*np.linalg.svd(X, compute_uv=False)[0])

## ex09_q1 | linspace | visible
def lr_sweep(lr_min, lr_max, num):
    return np.linspace(lr_min, lr_max, num)

## ex09_q1 | i/num exponent | visible
def lr_sweep(lr_min, lr_max, num):
    return lr_min*(lr_max/lr_min)**(np.arange(num)/num)

## ex09_q2 | no bias correction | visible
def smooth(losses, beta=0.98):
    a, out = 0.0, []
    for l in losses:
        a = beta*a+(1-beta)*l
        out.append(a)
    return np.array(out)

## ex09_q2 | correction off by one | visible
def smooth(losses, beta=0.98):
    a, out = 0.0, []
    for i, l in enumerate(losses):
        a = beta*a+(1-beta)*l
        out.append(a/(1-beta**(i+2)))
    return np.array(out)

## ex09_q2 | beta swapped | visible
def smooth(losses, beta=0.98):
    a, out = 0.0, []
    for i, l in enumerate(losses):
        a = (1-beta)*a+beta*l
        out.append(a/(1-(1-beta)**(i+1)))
    return np.array(out)

## ex09_q3 | >= instead of > | visible
def stop_index(smoothed, factor=4.0):
    best = float('inf')
    for i, s in enumerate(smoothed):
        best = min(best, s)
        if s >= factor*best: return i
    return None

## ex09_q3 | compares to first value | visible
def stop_index(smoothed, factor=4.0):
    for i, s in enumerate(smoothed):
        if s > factor*smoothed[0]: return i
    return None

## ex09_q3 | returns i-1 | visible
def stop_index(smoothed, factor=4.0):
    best = float('inf')
    for i, s in enumerate(smoothed):
        best = min(best, s)
        if s > factor*best: return i-1
    return None

## ex09_q4 | no /10 | visible
def suggest_lr(lrs, smoothed):
    return float(lrs[int(np.argmin(smoothed))])

## ex09_q4 | argmax | visible
def suggest_lr(lrs, smoothed):
    return float(lrs[int(np.argmax(smoothed))]/10)

## ex09_q4 | min loss /10 (not lr) | visible
def suggest_lr(lrs, smoothed):
    return float(np.min(smoothed)/10)

## ex09_q5 | sqrt scaling | visible
def linear_scaling(base_lr, base_batch, new_batch):
    if base_batch < 1 or new_batch < 1: raise ValueError('b')
    return base_lr*(new_batch/base_batch)**0.5

## ex09_q5 | inverted ratio | visible
def linear_scaling(base_lr, base_batch, new_batch):
    if base_batch < 1 or new_batch < 1: raise ValueError('b')
    return base_lr*base_batch/new_batch

## ex09_q5 | seed table 0.004 | visible
def linear_scaling(base_lr, base_batch, new_batch):
    if base_batch < 1 or new_batch < 1: raise ValueError('b')
    return base_lr*new_batch/base_batch/2

## ex09_q5 | only base checked | visible
def linear_scaling(base_lr, base_batch, new_batch):
    if base_batch < 1: raise ValueError('b')
    return base_lr*new_batch/base_batch

## ex10_q1 | no scaler | visible
def make_sgd_model(alpha):
    from sklearn.linear_model import SGDClassifier
    return SGDClassifier(loss='log_loss', alpha=alpha, random_state=0)

## ex10_q1 | hinge loss | visible
def make_sgd_model(alpha):
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    return make_pipeline(StandardScaler(), SGDClassifier(alpha=alpha, random_state=0))

## ex10_q1 | alpha ignored | hidden
def make_sgd_model(alpha):
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    return make_pipeline(StandardScaler(), SGDClassifier(loss='log_loss', random_state=0))

## ex10_q1 | MinMaxScaler | hidden
def make_sgd_model(alpha):
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MinMaxScaler
    clf = SGDClassifier(loss='log_loss', alpha=alpha, random_state=0)
    return make_pipeline(MinMaxScaler(), clf)

## ex10_q2 | intercept ignored | visible
def proba_from_coef(coef, intercept, X):
    return 1/(1+np.exp(-(X@np.ravel(coef))))

## ex10_q2 | sign flipped | visible
def proba_from_coef(coef, intercept, X):
    return 1/(1+np.exp(X@np.ravel(coef)+intercept[0]))

## ex10_q2 | returns (n,1) | visible
def proba_from_coef(coef, intercept, X):
    return 1/(1+np.exp(-(X@coef.T+intercept)))

## ex10_q3 | signed order | visible
def top_features(coef, names, k):
    o = np.argsort(-np.ravel(coef))[:k]
    return [names[i] for i in o]

## ex10_q3 | smallest first | visible
def top_features(coef, names, k):
    o = np.argsort(np.abs(np.ravel(coef)))[:k]
    return [names[i] for i in o]

## ex10_q3 | returns indices | visible
def top_features(coef, names, k):
    return [int(i) for i in np.argsort(-np.abs(np.ravel(coef)))[:k]]

## ex10_q4 | two outputs for binary | visible
def mlp_n_params(n_features, hidden_layer_sizes, n_classes):
    s=[n_features,*hidden_layer_sizes,n_classes]
    return sum(a*b+b for a,b in zip(s[:-1],s[1:]))

## ex10_q4 | no biases | visible
def mlp_n_params(n_features, hidden_layer_sizes, n_classes):
    s=[n_features,*hidden_layer_sizes,1 if n_classes==2 else n_classes]
    return sum(a*b for a,b in zip(s[:-1],s[1:]))

## ex10_q4 | no output layer | visible
def mlp_n_params(n_features, hidden_layer_sizes, n_classes):
    s=[n_features,*hidden_layer_sizes]
    return sum(a*b+b for a,b in zip(s[:-1],s[1:]))
"""

# Correct answers written differently from the model answers.
RIGHT = """
## ex01_q2 | a while loop and a list | visible
def gd_1d(x0, lr, steps):
    xs = [x0]
    while len(xs) <= steps:
        xs.append(xs[-1] - lr * 2 * (xs[-1] - 3))
    return np.array(xs, dtype=float)

## ex04_q3 | the warmup branch also covers t == warmup_steps | visible
def warmup_cosine(t, lr_max, warmup_steps, total_steps, lr_min=0.0):
    if t <= warmup_steps:
        return lr_max * min(t + 1, warmup_steps) / warmup_steps
    return cosine_lr(t - warmup_steps, lr_max, total_steps - warmup_steps, lr_min)

## ex05_q1 | buffer updated in place on a copy | visible
def momentum_step(w, g, buf, lr, momentum):
    buf = buf.copy()
    buf *= momentum
    buf += g
    return w - lr * buf, buf

## ex06_q3 | a loop over steps | visible
def adagrad_effective_lr(grads, lr, eps=1e-10):
    G, rows = 0.0, []
    for g in grads:
        G = G + np.square(g)
        rows.append(lr / (np.sqrt(G) + eps))
    return np.array(rows)

## ex07_q1 | torch.optim.Adam's own arrangement of the step | visible
def adam_step(w, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    denom = np.sqrt(v) / np.sqrt(1 - beta2 ** t) + eps
    return w - lr / (1 - beta1 ** t) * m / denom, m, v

## ex08_q2 | counts epochs since the best one | visible
def early_stopping(val_losses, patience, min_delta=0.0):
    best_epoch = None
    for epoch, loss in enumerate(val_losses):
        if best_epoch is None or loss < val_losses[best_epoch] - min_delta:
            best_epoch = epoch
        elif epoch - best_epoch >= patience:
            return best_epoch, epoch
    return best_epoch, None

## ex09_q2 | closed form: weighted mean | visible
def smooth(losses, beta=0.98):
    out = []
    for i in range(len(losses)):
        w = beta ** np.arange(i, -1, -1)
        out.append(np.dot(w, losses[: i + 1]) / w.sum())
    return np.array(out)

## ex10_q3 | sorted with a key | visible
def top_features(coef, names, k):
    c = np.ravel(coef)
    return sorted(names, key=lambda n: -abs(c[list(names).index(n)]))[:k]
"""


def _cases(text: str) -> list:
    out = []
    for chunk in re.split(r"^## ", text, flags=re.M)[1:]:
        head, _, source = chunk.partition("\n")
        qid, label, where = (part.strip() for part in head.split("|"))
        out.append(pytest.param(qid, label, where == "visible", source.strip(),
                                id=f"{qid}: {label}"))
    return out


@cache
def _set_cells(stem: str) -> tuple:
    return tuple(nbg.read(nbg.SOLUTIONS_DIR / f"{stem}.ipynb").cells)


def _run(qid: str, answer: str) -> tuple[Exception | None, Exception | None]:
    """Run the set with ``answer`` for question ``qid``; return what (visible, full) raised."""
    stem = next(p.stem for p in nbg.SOLUTIONS_DIR.glob(f"{qid.split('_')[0]}_*.ipynb"))
    ns: dict = {}
    test = None
    for cell in _set_cells(stem):
        gid = nbg.grade_id(cell)
        if cell.cell_type != "code" or nbg.is_test(cell):
            test = cell if gid == qid else test
            continue
        exec(answer if gid == f"{qid}_answer" else cell.source, ns)  # noqa: S102
    failures = []
    for source in (nbg.student_source(test), test.source):
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(source, dict(ns))  # noqa: S102
            failures.append(None)
        except Exception as exc:  # noqa: BLE001 - any error costs the question its points
            failures.append(exc)
    return failures[0], failures[1]


@pytest.mark.parametrize(("qid", "label", "visible", "answer"), _cases(WRONG))
def test_wrong_answer_is_caught(qid, label, visible, answer):
    seen, full = _run(qid, answer)
    assert full is not None, f"{qid}: '{label}' passes every check"
    if visible:
        # feedback a student can act on: what was called, then a Korean and an English line
        assert isinstance(seen, CheckFailed), f"{qid}: '{label}': visible check gave {seen!r}"
        what, ko, en = str(seen).split("\n")[:3]
        assert what.startswith("✗ ") and ko.strip() and en.strip(), str(seen)
        # returned values are named as the exercise names them, never "[0]" / "item 0"
        assert not re.search(r"^  \[\d+\]: ", str(seen), re.M), str(seen)


# Wrong answers whose feedback must name every wrong returned value, and only those.
WRONG_PARTS = {
    "ex05_q1: lr inside buffer (velocity form)": ["new_w", "new_buf"],
    "ex05_q1: EMA buffer (1-beta) g": ["new_w", "new_buf"],
    "ex05_q1: uses old buffer for step": ["new_w"],
}


@pytest.mark.parametrize("case", WRONG_PARTS)
def test_feedback_names_every_wrong_part(case):
    (param,) = [p for p in _cases(WRONG) if p.id == case]
    qid, _, _, answer = param.values
    seen, _ = _run(qid, answer)
    named = re.findall(r"^  (\w+): ", str(seen), re.M)
    assert named == WRONG_PARTS[case], str(seen)


@pytest.mark.parametrize(("qid", "label", "visible", "answer"), _cases(RIGHT))
def test_other_correct_answer_passes(qid, label, visible, answer):
    assert _run(qid, answer) == (None, None), label


def test_model_answers_pass_every_check():
    for path in sorted(nbg.SOLUTIONS_DIR.glob("ex*.ipynb")):
        for cell in nbg.read(path).cells:
            if nbg.is_test(cell):
                answer = next(c.source for c in _set_cells(path.stem)
                              if nbg.grade_id(c) == f"{nbg.grade_id(cell)}_answer")
                assert _run(nbg.grade_id(cell), answer) == (None, None), nbg.grade_id(cell)
