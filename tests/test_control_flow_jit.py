"""Control flow in compiled code: cond/switch, while_loop/fori_loop and scan lower
to branches and loops around fused kernels (no unrolling, no per-iteration
Python), and agree with eager evaluation and Python references."""
import numpy as np
import pytest

import tinyjax
import tinyjax.numpy as jnp
from tinyjax import grad, jit, lax, vmap
from tinyjax.lowering.rules import lowering_rules


def _lowered(name):
    return any(p.name == name for p in lowering_rules)


needs = pytest.mark.skipif(not (_lowered("while") and _lowered("scan") and _lowered("cond")),
                           reason="control-flow primitives not available")


def _eager(f, *args):
    with tinyjax.disable_jit():
        return f(*args)


@needs
def test_fori_loop_static_and_dynamic_bounds():
    body = lambda i, x: x * 0.5 + i  # noqa: E731
    x = jnp.arange(4.0)
    f = jit(lambda x: lax.fori_loop(0, 7, body, x))
    want = np.arange(4.0)
    for i in range(7):
        want = want * 0.5 + i
    np.testing.assert_allclose(f(x), want, rtol=1e-6)
    g = jit(lambda x, n: lax.fori_loop(0, n, body, x))   # dynamic: a while loop
    np.testing.assert_allclose(g(x, 7), want, rtol=1e-6)
    np.testing.assert_allclose(g(x, 0), np.arange(4.0))


@needs
def test_while_loop_data_dependent_trip_count():
    def collatz_steps(n):
        def cond(c):
            return c[0] != 1

        def body(c):
            n, k = c
            return jnp.where(n % 2 == 0, n // 2, 3 * n + 1), k + 1

        return lax.while_loop(cond, body, (n, 0))[1]

    f = jit(collatz_steps)
    for n in (1, 6, 27, 97):
        k, m = 0, n
        while m != 1:
            m = m // 2 if m % 2 == 0 else 3 * m + 1
            k += 1
        assert int(f(jnp.int32(n))) == k


@needs
def test_scan_reverse_pytrees_and_passthrough():
    def step(c, x):
        a, b = c
        return (a + x["u"], b), {"s": a * x["v"], "c": b}

    xs = {"u": jnp.arange(5.0), "v": jnp.arange(5.0) + 1.0}
    for reverse in (False, True):
        f = lambda init, xs: lax.scan(step, init, xs, reverse=reverse)  # noqa: E731
        got = jit(f)((jnp.float32(1.0), jnp.ones(2)), xs)
        want = _eager(f, (jnp.float32(1.0), jnp.ones(2)), xs)
        for g, w in zip(tinyjax.tree_util.tree_leaves(got), tinyjax.tree_util.tree_leaves(want)):
            np.testing.assert_allclose(g, w, rtol=1e-6)


@needs
def test_scan_without_xs_and_cond_switch():
    f = jit(lambda c: lax.scan(lambda c, _: (c * 2.0, c), c, None, length=4))
    c, ys = f(jnp.float32(1.0))
    assert float(c) == 16.0
    np.testing.assert_array_equal(ys, [1.0, 2.0, 4.0, 8.0])
    branches = [lambda x: x + 1.0, lambda x: x * 10.0, lambda x: -x]
    g = jit(lambda i, x: lax.switch(i, branches, x))
    for i in range(-1, 5):
        k = min(max(i, 0), 2)
        np.testing.assert_allclose(g(i, jnp.arange(3.0)), branches[k](np.arange(3.0)))
    h = jit(lambda p, x: lax.cond(p, lambda v: v * 2.0, lambda v: v - 1.0, x))
    np.testing.assert_allclose(h(True, jnp.ones(2)), [2.0, 2.0])
    np.testing.assert_allclose(h(False, jnp.ones(2)), [0.0, 0.0])


@needs
def test_nested_scan_in_cond_in_while():
    def f(x):
        def body(c):
            i, v = c
            v = lax.cond(i % 2 == 0,
                         lambda v: lax.scan(lambda a, b: (a + b, a), v[0], v)[1],
                         lambda v: v * 1.5, v)
            return i + 1, v
        return lax.while_loop(lambda c: c[0] < 5, body, (0, x))[1]

    x = jnp.arange(1.0, 5.0)
    np.testing.assert_allclose(jit(f)(x), _eager(f, x), rtol=1e-6)


@needs
def test_loops_stay_loops_in_the_compiled_code():
    def f(n):
        return jit(lambda x: lax.fori_loop(0, n, lambda i, v: v * 0.99 + 0.01, x))

    x = jnp.ones(16)
    small = f(10).lower(x).compile()
    big = f(10_000).lower(x).compile()
    assert len(big.as_text("llvm")) <= len(small.as_text("llvm")) + 64
    assert "scan length=10000" in big.as_text("kernels")
    np.testing.assert_allclose(big(x), np.ones(16), rtol=1e-5)


@needs
def test_grad_of_jitted_scan_rnn_and_vmap_of_while():
    rng = np.random.default_rng(0)
    w = jnp.asarray(rng.standard_normal((4, 4)).astype(np.float32) * 0.3)
    xs = jnp.asarray(rng.standard_normal((50, 4)).astype(np.float32))

    def loss(w):
        h, _ = lax.scan(lambda h, x: (jnp.tanh(w @ h + x), None), jnp.zeros(4), xs)
        return jnp.sum(h ** 2)

    np.testing.assert_allclose(jit(grad(loss))(w), _eager(grad(loss), w), rtol=1e-4, atol=1e-6)

    def count(x):
        return lax.while_loop(lambda c: c[0] < x, lambda c: (c[0] * 2.0, c[1] + 1), (1.0, 0))[1]

    xs2 = jnp.asarray([0.5, 3.0, 100.0, 9.0])
    np.testing.assert_array_equal(jit(vmap(count))(xs2), [0, 2, 7, 4])


def rk4_solve(k, y0, dt=0.01, steps=1000):
    """A damped oscillator integrated with RK4 in a scan; the loss is the integral
    of the squared position."""
    def f(y):
        return jnp.stack([y[1], -k * y[0] - 0.1 * y[1]])

    def step(y, _):
        k1 = f(y)
        k2 = f(y + 0.5 * dt * k1)
        k3 = f(y + 0.5 * dt * k2)
        k4 = f(y + dt * k3)
        y = y + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        return y, y[0]

    _, traj = lax.scan(step, y0, None, length=steps)
    return jnp.sum(traj ** 2) * dt


@needs
def test_rk4_scan_grad_matches_finite_differences():
    with tinyjax.core.config.enable_x64():
        y0 = jnp.asarray(np.array([1.0, 0.0]))
        g = jit(grad(rk4_solve))(2.0, y0)
        eps = 1e-5
        fd = (float(rk4_solve(2.0 + eps, y0)) - float(rk4_solve(2.0 - eps, y0))) / (2 * eps)
        np.testing.assert_allclose(float(g), fd, rtol=1e-6)


@needs
@pytest.mark.parametrize("unroll", [1, 2, 3, 7, 100])
def test_scan_unroll_gives_the_same_result(unroll):
    f = lambda c, xs: lax.scan(lambda c, x: (c * 0.9 + x, c - x), c, xs,  # noqa: E731
                               unroll=unroll, reverse=unroll == 3)
    xs = jnp.arange(7.0)
    got = jit(f)(jnp.float32(1.0), xs)
    want = _eager(f, jnp.float32(1.0), xs)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-6)


@needs
def test_grad_of_jit_and_checkpoint_containing_cond():
    def f(w):
        return lax.cond(w > 0, lambda v: jnp.sin(v) * v, lambda v: v ** 3, w)

    for wrap in (jit, tinyjax.checkpoint):
        for w in (0.7, -0.4):
            want = np.cos(w) * w + np.sin(w) if w > 0 else 3 * w ** 2
            np.testing.assert_allclose(grad(wrap(f))(w), want, rtol=1e-5)
