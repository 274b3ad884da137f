"""Testing utilities: check_grads compares forward- and reverse-mode derivatives
with finite differences (in float64), to any order, as jax.test_util.check_grads."""
from __future__ import annotations

import numpy as np

from .core import pytree
from .core.config import enable_x64


def _leaves64(tree):
    return [np.asarray(x, np.float64) if np.asarray(x).dtype.kind == "f" else np.asarray(x)
            for x in pytree.tree_leaves(tree)]


def _kind(x):
    return np.asarray(x).dtype.kind


def _rand_like(rng, tree):
    return pytree.tree_map(
        lambda x: rng.standard_normal(np.shape(x)) if np.asarray(x).dtype.kind == "f"
        else np.zeros(np.shape(x), np.asarray(x).dtype), tree)


def _add(tree, t, scale):
    return pytree.tree_map(
        lambda x, d: (np.asarray(x, np.float64) + scale * d) if np.asarray(x).dtype.kind == "f"
        else x, tree, t)


def _inner(a, b):
    return sum(float(np.vdot(np.asarray(x, np.float64).ravel(), np.asarray(y, np.float64).ravel()))
               for x, y in zip(_leaves64(a), _leaves64(b))
               if np.asarray(x).dtype.kind == "f")


def _assert_close(got, want, atol, rtol, what):
    for g, w in zip(_leaves64(got), _leaves64(want)):
        if g.dtype.kind != "f" or w.dtype.kind != "f":
            continue
        np.testing.assert_allclose(g, w, atol=atol, rtol=rtol, err_msg=what)


def check_jvp(f, f_jvp, args, atol=None, rtol=None, eps=None, rng=None):
    """JVP of f at args against central finite differences along a random tangent."""
    from .autodiff import jvp  # noqa: F401
    rng = rng or np.random.default_rng(0)
    eps = eps or 1e-6
    atol = 1e-5 if atol is None else atol
    rtol = 1e-5 if rtol is None else rtol
    tangent = _rand_like(rng, args)
    _, t_out = f_jvp(args, tangent)
    plus = f(*_add(args, tangent, eps))
    minus = f(*_add(args, tangent, -eps))
    def diff(p, m):
        if np.asarray(p).dtype.kind != "f":  # integer/bool/float0 outputs: no derivative
            return np.zeros(np.shape(p))
        return (np.asarray(p, np.float64) - np.asarray(m, np.float64)) / (2 * eps)

    fd = pytree.tree_map(diff, plus, minus)
    _assert_close(t_out, fd, atol, rtol, "JVP does not match finite differences")


def check_vjp(f, f_vjp, args, atol=None, rtol=None, eps=None, rng=None):
    """VJP of f at args against its JVP through <ct, J t> == <J^T ct, t>."""
    from .autodiff import jvp
    rng = rng or np.random.default_rng(1)
    atol = 1e-5 if atol is None else atol
    rtol = 1e-5 if rtol is None else rtol
    out, vjpfun = f_vjp(*args)
    ct = _rand_like(rng, out)
    tangent = _rand_like(rng, args)
    cts_in = vjpfun(ct)
    _, t_out = jvp(f, tuple(args), tuple(tangent))
    lhs = _inner(ct, t_out)
    rhs = _inner(cts_in, tangent)
    np.testing.assert_allclose(rhs, lhs, atol=atol, rtol=rtol,
                               err_msg="VJP does not match JVP (dot-product identity)")


def check_grads(f, args, order: int, modes=("fwd", "rev"), atol=None, rtol=None, eps=None):
    """Check derivatives of f at args up to `order`, in forward and/or reverse mode.

    Runs in float64 (x64 is enabled for the duration): float arguments are converted.

    >>> check_grads(jnp.sin, (0.3,), order=2)  # doctest: +SKIP
    """
    from .autodiff import jvp, vjp
    with enable_x64():
        args = tuple(pytree.tree_map(
            lambda x: np.asarray(x, np.float64) if np.asarray(x).dtype.kind == "f" else x,
            a) for a in args)
        rng = np.random.default_rng(42)

        def _check(f, args, order):
            if "fwd" in modes:
                check_jvp(f, lambda a, t: jvp(f, tuple(a), tuple(t)), args, atol, rtol, eps, rng)
                if order > 1:
                    t = _rand_like(rng, args)
                    _check(lambda *a: jvp(f, a, tuple(t))[1], args, order - 1)
            if "rev" in modes:
                check_vjp(f, lambda *a: vjp(f, *a), args, atol, rtol, eps, rng)
                if order > 1:
                    out = f(*args)
                    ct = _rand_like(rng, out)
                    _check(lambda *a: vjp(f, *a)[1](ct), args, order - 1)

        _check(f, args, order)


__all__ = ["check_grads", "check_jvp", "check_vjp"]
