"""grad, vmap and jit composed in every order on real functions (an MLP loss, a
softmax cross-entropy, a convolution layer) agree with eager evaluation."""
import itertools

import numpy as np
import pytest

import tinyjax
import tinyjax.numpy as jnp
from tinyjax import grad, jit, lax, vmap


def mlp_loss(params, x, y):
    h = x
    for w, b in params[:-1]:
        h = jnp.tanh(h @ w + b)
    w, b = params[-1]
    out = h @ w + b
    return jnp.mean((out - y) ** 2)


def softmax_xent(w, x, label):
    logits = x @ w
    logp = logits - jax_logsumexp(logits)
    return -jnp.sum(logp * label)


def jax_logsumexp(v):
    m = jnp.max(v, axis=-1, keepdims=True)
    return m + jnp.log(jnp.sum(jnp.exp(v - m), axis=-1, keepdims=True))


def conv_layer(k, x):
    # x: (C, H, W) one example; k: (O, C, 3, 3)
    y = lax.conv_general_dilated(x[None], k, (1, 1), "SAME")[0]
    return jnp.sum(jax_relu(y) ** 2)


def jax_relu(v):
    return jnp.maximum(v, 0.0)


def _rng():
    return np.random.default_rng(0)


def _mlp_setup():
    r = _rng()
    sizes = [5, 8, 3]
    params = [(jnp.asarray(r.standard_normal((a, b)).astype(np.float32) * 0.5),
               jnp.asarray(r.standard_normal(b).astype(np.float32) * 0.1))
              for a, b in zip(sizes[:-1], sizes[1:])]
    xs = jnp.asarray(r.standard_normal((4, 5)).astype(np.float32))
    ys = jnp.asarray(r.standard_normal((4, 3)).astype(np.float32))
    return params, xs, ys


def _close(a, b, tol=2e-5):
    for u, v in zip(tinyjax.tree_util.tree_leaves(a), tinyjax.tree_util.tree_leaves(b)):
        np.testing.assert_allclose(np.asarray(u), np.asarray(v), rtol=tol, atol=tol)


ORDERS = list(itertools.permutations(["grad", "vmap", "jit"]))


def _compose(order, f, argnum_grad=0, in_axes=None):
    g = f
    for t in reversed(order):  # innermost first
        if t == "grad":   # of the sum, in case a vmap inside made the output a vector
            g = grad(lambda *a, g=g: jnp.sum(g(*a)), argnums=argnum_grad)
        elif t == "vmap":
            g = vmap(g, in_axes=in_axes)
        else:
            g = jit(g)
    return g


@pytest.mark.parametrize("order", ORDERS, ids="-".join)
def test_mlp_loss_all_orders(order):
    params, xs, ys = _mlp_setup()
    # per-example gradient of the loss wrt params
    want = _compose(order, mlp_loss, 0, in_axes=(None, 0, 0))
    with tinyjax.disable_jit():
        ref = want(params, xs, ys)
    got = _compose(order, mlp_loss, 0, in_axes=(None, 0, 0))(params, xs, ys)
    _close(got, ref)


@pytest.mark.parametrize("order", ORDERS, ids="-".join)
def test_softmax_xent_all_orders(order):
    r = _rng()
    w = jnp.asarray(r.standard_normal((6, 4)).astype(np.float32))
    x = jnp.asarray(r.standard_normal((3, 6)).astype(np.float32))
    lab = jnp.asarray(np.eye(4, dtype=np.float32)[[0, 2, 3]])
    f = _compose(order, softmax_xent, 0, in_axes=(None, 0, 0))
    with tinyjax.disable_jit():
        ref = f(w, x, lab)
    _close(f(w, x, lab), ref)


@pytest.mark.parametrize("order", ORDERS, ids="-".join)
def test_conv_layer_all_orders(order):
    r = _rng()
    k = jnp.asarray(r.standard_normal((2, 3, 3, 3)).astype(np.float32) * 0.3)
    x = jnp.asarray(r.standard_normal((2, 3, 5, 5)).astype(np.float32))
    f = _compose(order, conv_layer, 0, in_axes=(None, 0))
    with tinyjax.disable_jit():
        ref = f(k, x)
    _close(f(k, x), ref, tol=1e-4)


def test_jit_of_vmap_of_jit_and_grad_of_jit_train_step():
    params, xs, ys = _mlp_setup()

    @jit
    def step(params, x, y):
        g = grad(mlp_loss)(params, x, y)
        return [(w - 0.1 * gw, b - 0.1 * gb) for (w, b), (gw, gb) in zip(params, g)]

    with tinyjax.disable_jit():
        ref = step(params, xs, ys)
    _close(step(params, xs, ys), ref)
    per_ex = jit(vmap(jit(lambda x, y: mlp_loss(params, x[None], y[None]))))(xs, ys)
    with tinyjax.disable_jit():
        ref2 = vmap(lambda x, y: mlp_loss(params, x[None], y[None]))(xs, ys)
    _close(per_ex, ref2)


def test_closed_over_tracer_from_outer_grad():
    def outer(s):
        f = jit(lambda x: jnp.sum(jnp.sin(x * s)))   # s is a JVP tracer here
        return f(jnp.arange(3.0))

    g = grad(outer)(1.5)
    with tinyjax.disable_jit():
        ref = grad(outer)(1.5)
    np.testing.assert_allclose(g, ref, rtol=1e-5)
    np.testing.assert_allclose(g, np.sum(np.cos(np.arange(3.0) * 1.5) * np.arange(3.0)),
                               rtol=1e-5)


def test_linearize_and_vjp_through_jit():
    f = jit(lambda x: jnp.sin(x) * x)
    x = jnp.arange(4.0)
    y, f_jvp = tinyjax.linearize(f, x)
    np.testing.assert_allclose(f_jvp(jnp.ones(4)), np.cos(np.arange(4.0)) * np.arange(4.0)
                               + np.sin(np.arange(4.0)), rtol=1e-5)
    y, f_vjp = tinyjax.vjp(f, x)
    (ct,) = f_vjp(jnp.ones(4))
    np.testing.assert_allclose(ct, np.cos(np.arange(4.0)) * np.arange(4.0)
                               + np.sin(np.arange(4.0)), rtol=1e-5)


def test_collectives_inside_jit_under_named_vmap():
    f = lambda x: x - lax.pmean(x, "i")  # noqa: E731
    x = jnp.arange(4.0)
    np.testing.assert_allclose(vmap(jit(f), axis_name="i")(x), [-1.5, -0.5, 0.5, 1.5])
    g = tinyjax.checkpoint(lambda x: lax.psum(x, "i") * x)
    np.testing.assert_allclose(vmap(g, axis_name="i")(x), 6.0 * np.arange(4.0))


def test_axis_index_inside_jit_cond_and_loops_under_named_vmap():
    x = jnp.arange(4.0)
    np.testing.assert_allclose(vmap(jit(lambda v: v * lax.axis_index("i")), axis_name="i")(x),
                               [0.0, 1.0, 4.0, 9.0])
    f = lambda v: lax.fori_loop(0, 3, lambda k, u: u + lax.axis_index("i"), v)  # noqa: E731
    np.testing.assert_allclose(vmap(f, axis_name="i")(x), [0.0, 4.0, 8.0, 12.0])
    g = lambda v: lax.cond(v > 1, lambda u: u * lax.axis_index("i"), lambda u: -u, v)  # noqa
    np.testing.assert_allclose(vmap(g, axis_name="i")(x), [0.0, -1.0, 4.0, 9.0])
