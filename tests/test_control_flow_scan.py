"""lax.scan, lax.map and lax.associative_scan: eager results against Python loops,
and every transformation of scan_p (jvp, grad through partial evaluation and
transposition, higher order, vmap) against the same transformation of the
unrolled Python loop, finite differences, or JAX itself."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinyjax
import tinyjax.numpy as jnp
from tinyjax import lax
from tinyjax.core.abstract import float0
from tinyjax.core.config import enable_x64
from tinyjax.lax.scan import scan_p
from tinyjax.lowering.rules import lowering_rules
from tinyjax.test_util import check_grads


def _lowered(name):
    return any(p.name == name for p in lowering_rules)


needs_lowering = pytest.mark.skipif(not _lowered("scan"),
                                    reason="the compiler cannot lower scan yet")


def close(a, b, tol=1e-5):
    np.testing.assert_allclose(np.asarray(a, np.float64), np.asarray(b, np.float64),
                               rtol=tol, atol=tol)


def tree_close(a, b, tol=1e-5):
    la, ta = tinyjax.tree_util.tree_flatten(a)
    lb, tb = tinyjax.tree_util.tree_flatten(b)
    assert ta == tb, (ta, tb)
    for x, y in zip(la, lb):
        close(x, y, tol)


def py_scan(f, init, xs=None, length=None, reverse=False):
    """The reference semantics: a Python loop (steps unrolled under transformations)."""
    leaves, tree = tinyjax.tree_util.tree_flatten(xs)
    n = length if length is not None else leaves[0].shape[0]
    carry, ys = init, [None] * n
    order = range(n - 1, -1, -1) if reverse else range(n)
    for i in order:
        x = tinyjax.tree_util.tree_unflatten(tree, [leaf[i] for leaf in leaves])
        carry, ys[i] = f(carry, x)
    if n == 0 or ys[0] is None:
        return carry, None
    return carry, tinyjax.tree_util.tree_map(lambda *y: jnp.stack(y), *ys)


def both(f, init, xs=None, **kw):
    return lax.scan(f, init, xs, **kw), py_scan(f, init, xs, **kw)


def body_sin(w):
    def body(c, x):
        c = jnp.sin(c * w + x)
        return c, c * c
    return body


def scan_eqns(jaxpr):
    return [e for e in jaxpr.jaxpr.eqns if e.primitive is scan_p]


# ----------------------------------------------------------------------------- eager semantics

def test_cumulative_sum_and_products():
    xs = jnp.arange(1.0, 6.0)
    (c, ys), (c_ref, ys_ref) = both(lambda c, x: (c + x, c * x), 0.0, xs)
    close(c, 15.0)
    close(ys, [0.0, 2.0, 9.0, 24.0, 50.0])
    close(c, c_ref)
    close(ys, ys_ref)


def test_reverse_runs_steps_backwards_and_keeps_ys_indexed_by_step():
    xs = jnp.arange(1.0, 5.0)
    c, ys = lax.scan(lambda c, x: (c * 10 + x, c), 0.0, xs, reverse=True)
    close(c, 4321.0)
    close(ys, [432.0, 43.0, 4.0, 0.0])
    ref = py_scan(lambda c, x: (c * 10 + x, c), 0.0, xs, reverse=True)
    tree_close((c, ys), ref)
    # reverse is the forward scan over flipped xs, with flipped ys
    c2, ys2 = lax.scan(lambda c, x: (c * 10 + x, c), 0.0, xs[::-1])
    close(c, c2)
    close(ys, ys2[::-1])


def test_xs_none_with_length():
    c, ys = lax.scan(lambda c, _: (c * 2, c), 1, None, length=5)
    assert c.dtype == np.int32
    close(c, 32)
    close(ys, [1, 2, 4, 8, 16])
    c, ys = lax.scan(lambda c, _: (c + 1.0, None), 0.0, length=3)
    close(c, 3.0)
    assert ys is None


def test_pytree_carry_xs_and_ys():
    def body(carry, x):
        s, (p, cnt) = carry["s"], carry["pc"]
        s = s + x["a"] * x["b"]
        p = p * x["a"]
        return {"s": s, "pc": (p, cnt + 1)}, [s, {"neg": -x["b"]}]

    xs = {"a": jnp.arange(1.0, 5.0), "b": jnp.arange(8.0).reshape(4, 2)}
    init = {"s": jnp.zeros(2), "pc": (jnp.float32(1.0), 0)}
    (c, ys), ref = both(body, init, xs)
    tree_close((c, ys), ref)
    close(c["pc"][0], 24.0)
    assert int(c["pc"][1]) == 4 and c["pc"][1].dtype == np.int32
    assert ys[0].shape == (4, 2) and ys[1]["neg"].shape == (4, 2)


def test_zero_length_scan():
    c, ys = lax.scan(lambda c, x: (c + x, c * x), jnp.zeros(2), jnp.zeros((0, 2)))
    close(c, [0.0, 0.0])
    assert ys.shape == (0, 2) and ys.dtype == np.float32


def test_weakly_typed_init_takes_the_body_type():
    # a Python int carry that the body turns into float32 is promoted, as in JAX
    c, _ = lax.scan(lambda c, x: (c + x, None), 0, jnp.arange(3.0))
    assert c.dtype == np.float32
    close(c, 3.0)
    c, _ = lax.scan(lambda c, x: (c * 2, None), 1.0, None, length=3)
    close(c, 8.0)


def test_closed_over_arrays_become_operands():
    w = jnp.array([1.0, 2.0])
    c, ys = lax.scan(lambda c, x: (c + w * x, c @ w), jnp.zeros(2), jnp.arange(3.0))
    close(c, [3.0, 6.0])
    close(ys, [0.0, 0.0, 5.0])
    jaxpr = tinyjax.make_jaxpr(
        lambda w: lax.scan(lambda c, x: (c + w * x, c @ w), jnp.zeros(2), jnp.arange(3.0)))(w)
    (eqn,) = scan_eqns(jaxpr)
    assert eqn.params["num_consts"] >= 1 and eqn.params["num_carry"] == 1
    assert eqn.params["length"] == 3 and eqn.params["jaxpr"].consts == []
    assert [v.aval.shape for v in eqn.outvars] == [(2,), (3,)]
    assert [v.aval.dtype for v in eqn.outvars] == [np.float32, np.float32]


def test_unroll_accepts_bools_and_ints():
    xs = jnp.arange(5.0)
    for unroll in (1, 2, 0, True, False):
        c, _ = lax.scan(lambda c, x: (c + x, None), 0.0, xs, unroll=unroll)
        close(c, 10.0)
    with pytest.raises(ValueError, match="unroll"):
        lax.scan(lambda c, x: (c + x, None), 0.0, xs, unroll=-1)


# ----------------------------------------------------------------------------- errors

@pytest.mark.parametrize("fn, init, xs, kw, exc, msg", [
    (lambda c, x: (c.astype(jnp.int32), x), 0.0, jnp.arange(3.0), {}, TypeError,
     "scan body function carry input and carry output must have equal types"),
    (lambda c, x: (jnp.zeros(2), x), 0.0, jnp.arange(3.0), {}, TypeError,
     "the shapes do not match"),
    (lambda c, x: (c.astype(jnp.int32), x), 0.0, jnp.arange(3.0), {}, TypeError,
     "the dtypes do not match"),
    (lambda c, x: ((c, c), x), 0.0, jnp.arange(3.0), {}, TypeError,
     "must have the same pytree structure"),
    (lambda c, x: c, 0.0, jnp.arange(3.0), {}, TypeError,
     "scan body output must be a pair"),
    (lambda c, x: (c, x), 0.0, (jnp.arange(3.0), jnp.arange(4.0)), {}, ValueError,
     "scan got values with different leading axis sizes: 3, 4."),
    (lambda c, x: (c, x), 0.0, jnp.arange(3.0), {"length": 4}, ValueError,
     r"scan got `length` argument of 4 which disagrees with leading axis sizes \[3\]."),
    (lambda c, x: (c, x), 0.0, None, {}, ValueError,
     "scan got no values to scan over and `length` not provided."),
    (lambda c, x: (c, x), 0.0, 1.0, {}, ValueError,
     "scan got value with no leading axis to scan over"),
    (None, 0.0, jnp.arange(3.0), {}, TypeError, "lax.scan: f argument should be a callable."),
])
def test_errors(fn, init, xs, kw, exc, msg):
    with pytest.raises(exc, match=msg):
        lax.scan(fn, init, xs, **kw)


def test_carry_error_names_the_component():
    def body(carry, x):
        return {"a": carry["a"], "b": jnp.zeros(2)}, x

    with pytest.raises(TypeError) as e:
        lax.scan(body, {"a": 0.0, "b": jnp.zeros(3)}, jnp.arange(3.0))
    text = str(e.value)
    assert "The input carry component carry['b'] has type f32[3]" in text
    assert "output carry component has type f32[2]" in text


def test_traced_length_is_a_concretization_error():
    with pytest.raises(TypeError, match="length"):
        tinyjax.make_jaxpr(lambda n: lax.scan(lambda c, _: (c, None), 0.0, length=n))(3)


# ----------------------------------------------------------------------------- forward AD

def test_jvp_matches_unrolled_loop():
    xs = jnp.linspace(-1.0, 1.0, 6)

    def f(w, xs, use_scan):
        run = lax.scan if use_scan else py_scan
        c, ys = run(body_sin(w), 0.3, xs)
        return c, ys

    for tangents in [(1.0, jnp.zeros(6)), (0.0, jnp.ones(6)), (0.5, xs)]:
        got = tinyjax.jvp(lambda w, xs: f(w, xs, True), (0.7, xs), tangents)
        want = tinyjax.jvp(lambda w, xs: f(w, xs, False), (0.7, xs), tangents)
        tree_close(got, want)


def test_jvp_tangent_enters_through_a_later_carry():
    # the tangent of w reaches carry `a` directly and carry `b` only through `a`: the
    # fixpoint must give `b` a tangent although its initial tangent is zero
    def f(w):
        def body(c, x):
            a, b, i = c
            return (a * w, b + a, i + 1), b
        return lax.scan(body, (1.0, 0.0, 0), None, length=4)

    def g(w):
        a, b = 1.0, 0.0
        bs = []
        for _ in range(4):
            bs.append(b)
            a, b = a * w, b + a
        return (a, b, 4), jnp.stack(bs)

    got = tinyjax.jvp(f, (0.5,), (1.0,))
    want = tinyjax.jvp(g, (0.5,), (1.0,))
    tree_close(got[0], want[0])
    (ta, tb, ti), tys = got[1]
    tree_close((ta, tb, tys), (want[1][0][0], want[1][0][1], want[1][1]))
    assert float(tb) != 0.0 and ti.dtype == float0


def test_int_carry_gets_no_tangent():
    def f(w):
        def body(c, x):
            i, a = c
            return (i + 1, a * w + i), a * x
        (i, a), ys = lax.scan(body, (0, 1.0), jnp.arange(4.0))
        return a + ys.sum()

    close(f(0.5), 15.1875)
    g = tinyjax.grad(f)(0.5)
    eps = 1e-3
    close(g, (f(0.5 + eps) - f(0.5 - eps)) / (2 * eps), 1e-2)
    close(tinyjax.jvp(f, (0.5,), (1.0,))[1], g)


# ----------------------------------------------------------------------------- reverse AD

def test_grad_matches_unrolled_loop():
    xs = jnp.linspace(-1.0, 1.0, 5)

    def f(w, xs, run):
        c, ys = run(body_sin(w), 0.3, xs)
        return c + jnp.sum(ys * jnp.arange(5.0))

    got = tinyjax.grad(lambda w, xs: f(w, xs, lax.scan), (0, 1))(0.7, xs)
    want = tinyjax.grad(lambda w, xs: f(w, xs, py_scan), (0, 1))(0.7, xs)
    tree_close(got, want)


def test_grad_reverse_and_pytrees():
    def f(w, xs, run):
        def body(c, x):
            a, b = c
            a = jnp.sin(a * w + x["u"])
            b = b + a * x["v"]
            return (a, b), {"y": a * b, "z": jnp.cos(a)}
        (a, b), ys = run(body, (0.5, jnp.zeros(())), xs, reverse=True)
        return a + b + ys["y"].sum() + ys["z"][0]

    xs = {"u": jnp.arange(4.0), "v": jnp.ones(4) * 0.3}
    got = tinyjax.grad(lambda w, xs: f(w, xs, lax.scan), (0, 1))(0.7, xs)
    want = tinyjax.grad(lambda w, xs: f(w, xs, py_scan), (0, 1))(0.7, xs)
    tree_close(got, want)


def test_check_grads_order_2():
    xs = np.linspace(-1.0, 1.0, 4)

    def f(w, xs):
        c, ys = lax.scan(body_sin(w), 0.3, xs)
        return c + jnp.sum(ys)

    check_grads(f, (0.7, xs), order=2)

    def g(w, xs):
        def body(c, x):
            a, b = c
            return (jnp.tanh(a * w + x), b * jnp.cos(x * w) + a), a * b
        (a, b), ys = lax.scan(body, (0.1, 1.0), xs, reverse=True)
        return a * b + jnp.sum(ys ** 2)

    check_grads(g, (0.7, xs), order=2)


def test_check_grads_order_2_nested_scans():
    def f(w):
        def outer(c, _):
            def inner(d, x):
                return d * w + jnp.sin(x), d
            d, ys = lax.scan(inner, c, jnp.arange(3.0))
            return d * 0.5, ys.sum()
        c, ys = lax.scan(outer, 1.0, None, length=3)
        return c + ys.sum()

    check_grads(f, (0.3,), order=2)
    # grad of grad agrees with the unrolled loops
    def f_ref(w):
        def outer(c, _):
            def inner(d, x):
                return d * w + jnp.sin(x), d
            d, ys = py_scan(inner, c, jnp.arange(3.0))
            return d * 0.5, ys.sum()
        c, ys = py_scan(outer, 1.0, None, length=3)
        return c + ys.sum()

    close(tinyjax.grad(tinyjax.grad(f))(0.3), tinyjax.grad(tinyjax.grad(f_ref))(0.3), 1e-4)


def test_grad_saves_loop_invariant_residuals_once():
    # residuals computed from the closed-over weights alone are hoisted out of the loop,
    # and the weights themselves are never stacked once per step
    W = jnp.eye(4) * 0.5
    xs = jnp.ones((50, 4))

    def loss(W):
        def step(h, x):
            h = jnp.tanh(W.T @ h + x)
            return h, None
        return jnp.sum(lax.scan(step, jnp.zeros(4), xs)[0])

    jaxpr = tinyjax.make_jaxpr(tinyjax.grad(loss))(W)
    fwd, bwd = scan_eqns(jaxpr)
    assert not fwd.params["reverse"] and bwd.params["reverse"]
    assert all(v.aval.shape != (50, 4, 4) for v in fwd.outvars)
    # the linear scan transposed: W's cotangent is accumulated in the carry
    assert (4, 4) in [v.aval.shape for v in bwd.outvars[:bwd.params["num_carry"]]]


def test_grad_when_a_carry_output_ignores_the_carry():
    # the carry tangent is unknown on input but a known zero on output: the linear scan
    # still carries it (it enters as a residual)
    xs = jnp.arange(1.0, 4.0)
    f = lambda c0: lax.scan(lambda c, x: (x * 2.0, c * c), c0, xs)[1].sum()  # noqa: E731
    close(tinyjax.grad(f)(3.0), 6.0)
    close(tinyjax.jvp(f, (3.0,), (1.0,))[1], 6.0)


def test_grad_through_checkpointed_body():
    xs = jnp.arange(1.0, 5.0)

    def f(w, remat):
        body = lambda c, x: (jnp.sin(c * w) + x, jnp.cos(c))  # noqa: E731
        return lax.scan(tinyjax.checkpoint(body) if remat else body, 0.5, xs)[0]

    close(tinyjax.grad(lambda w: f(w, True))(0.3), tinyjax.grad(lambda w: f(w, False))(0.3))


def test_grad_of_jit_containing_scan():
    # jit's partial evaluation traces its jaxpr, so the scan splits by its own rule
    xs = jnp.arange(1.0, 5.0)

    def f(w):
        return lax.scan(lambda c, x: (jnp.sin(c * w) + x, jnp.cos(c)), 0.5, xs)[0]

    close(tinyjax.grad(tinyjax.jit(f))(0.3), tinyjax.grad(f)(0.3))


def test_grad_of_checkpoint_containing_scan():
    # a checkpoint holding a scan splits by tracing (the scan's own rule); its
    # residuals are saved rather than recomputed
    xs = jnp.arange(1.0, 5.0)

    def f(w):
        return lax.scan(lambda c, x: (jnp.sin(c * w) + x, jnp.cos(c)), 0.5, xs)[0]

    close(tinyjax.grad(tinyjax.checkpoint(f))(0.3), tinyjax.grad(f)(0.3))


def test_rnn_1000_steps_grad_matches_finite_differences():
    with enable_x64():
        rng = np.random.default_rng(0)
        H, D, T = 6, 3, 1000
        W = jnp.asarray(rng.normal(size=(H, H)) * 0.3)
        U = jnp.asarray(rng.normal(size=(H, D)) * 0.5)
        xs = jnp.asarray(rng.normal(size=(T, D)))

        def loss(W, U):
            def step(h, x):
                h = jnp.tanh(W @ h + U @ x)
                return h, h.sum()
            h, ys = lax.scan(step, jnp.zeros(H), xs)
            return jnp.sum(h ** 2) + ys.mean()

        gW, gU = tinyjax.grad(loss, (0, 1))(W, U)
        assert gW.dtype == np.float64 and gW.shape == (H, H) and gU.shape == (H, D)
        eps = 1e-6
        for _ in range(2):
            dW, dU = rng.normal(size=(H, H)), rng.normal(size=(H, D))
            fd = (loss(W + eps * dW, U + eps * dU) - loss(W - eps * dW, U - eps * dU)) / (2 * eps)
            close(np.sum(np.asarray(gW) * dW) + np.sum(np.asarray(gU) * dU), fd, 1e-6)


def test_rk4_ode_1000_steps_grad_matches_finite_differences():
    # damped oscillator x'' = -k x - 0.1 x', x(0) = 1, x'(0) = 0, RK4 with dt = 0.01
    dt, steps = 0.01, 1000

    def deriv(s, k):
        return jnp.stack([s[1], -k * s[0] - 0.1 * s[1]])

    def trajectory(k):
        def step(s, _):
            k1 = deriv(s, k)
            k2 = deriv(s + 0.5 * dt * k1, k)
            k3 = deriv(s + 0.5 * dt * k2, k)
            k4 = deriv(s + dt * k3, k)
            s = s + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
            return s, s[0]
        return lax.scan(step, jnp.array([1.0, 0.0]), None, length=steps)

    def objective(k):
        s, xs = trajectory(k)
        return s[0] + dt * jnp.sum(xs ** 2)

    with enable_x64():
        k = 2.0
        s, xs = trajectory(k)
        assert s.dtype == np.float64 and xs.shape == (steps,)
        # the underdamped closed form at t = 10
        g, t = 0.05, dt * steps
        wd = np.sqrt(k - g * g)
        close(s[0], np.exp(-g * t) * (np.cos(wd * t) + g / wd * np.sin(wd * t)), 1e-8)
        grad = tinyjax.grad(objective)(k)
        eps = 1e-5
        fd = (objective(k + eps) - objective(k - eps)) / (2 * eps)
        close(grad, fd, 1e-6)
        # forward mode agrees with reverse mode
        close(tinyjax.jvp(objective, (k,), (1.0,))[1], grad, 1e-10)


def test_vjp_and_linearize():
    xs = jnp.linspace(0.0, 1.0, 4)

    def f(xs, run=lax.scan):
        return run(lambda c, x: (c * x + 1.0, jnp.sin(c)), 0.5, xs)

    out, f_vjp = tinyjax.vjp(f, xs)
    out_ref, f_vjp_ref = tinyjax.vjp(lambda xs: f(xs, py_scan), xs)
    tree_close(out, out_ref)
    ct = (1.0, jnp.arange(4.0))
    tree_close(f_vjp(ct), f_vjp_ref(ct))
    y, f_lin = tinyjax.linearize(f, xs)
    tree_close(f_lin(jnp.ones(4)), tinyjax.jvp(f, (xs,), (jnp.ones(4),))[1])


# ----------------------------------------------------------------------------- vmap

def _vmap_ref(f, in_axes, *args):
    """vmap by a Python loop over examples."""
    n = next(a.shape[ax] for a, ax in zip(args, in_axes) if ax is not None)
    outs = [f(*[a if ax is None else jnp.take(a, i, axis=ax) for a, ax in zip(args, in_axes)])
            for i in range(n)]
    return tinyjax.tree_util.tree_map(lambda *o: jnp.stack(o), *outs)


@pytest.mark.parametrize("in_axes", [(0, None, None), (None, 0, None), (None, None, 1),
                                     (0, 0, 1), (None, 0, 0)])
def test_vmap_batched_consts_carry_and_xs(in_axes):
    def f(w, c0, xs):
        return lax.scan(lambda c, x: (jnp.sin(c * w) + x, c * x), c0, xs)

    rng = np.random.default_rng(1)
    args = [jnp.asarray(rng.normal(size=(3,)), jnp.float32) if ax == 0 else 0.7
            for ax in in_axes[:2]]
    xs = rng.normal(size=(5, 3) if in_axes[2] == 1 else (3, 5) if in_axes[2] == 0 else (5,))
    args.append(jnp.asarray(xs, jnp.float32))
    got = tinyjax.vmap(f, in_axes)(*args)
    tree_close(got, _vmap_ref(f, in_axes, *args))


def test_vmap_batched_xs_makes_carry_batched():
    # an unbatched init whose carry picks up the batch from xs (the fixpoint)
    def f(xs):
        return lax.scan(lambda c, x: (c * x, c + x), 1.0, xs)

    xs = jnp.arange(1.0, 7.0).reshape(3, 2)
    c, ys = tinyjax.vmap(f, in_axes=1)(xs)
    close(c, [15.0, 48.0])
    close(ys, [[2.0, 4.0, 8.0], [3.0, 6.0, 14.0]])


def test_vmap_with_unbatched_ys_and_out_axes():
    def f(w):
        return lax.scan(lambda c, x: (c * w, x * 2.0), 1.0, jnp.arange(3.0))

    c, ys = tinyjax.vmap(f)(jnp.array([1.0, 2.0]))
    close(c, [1.0, 8.0])
    close(ys, [[0.0, 2.0, 4.0], [0.0, 2.0, 4.0]])


def test_vmap_collective_in_body():
    def f(x):
        return lax.scan(lambda c, y: (c + lax.psum(y, "i"), c), 0.0, x)

    c, ys = tinyjax.vmap(f, axis_name="i")(jnp.arange(6.0).reshape(2, 3))
    close(c, [15.0, 15.0])
    close(ys, [[0.0, 3.0, 8.0], [0.0, 3.0, 8.0]])


def test_vmap_of_grad_and_grad_of_vmap():
    xs = jnp.arange(3.0)

    def k(w):
        return lax.scan(lambda c, x: (c * w + x, c), 1.0, xs)[0]

    ws = jnp.array([0.5, 1.0, -0.3])
    close(tinyjax.vmap(tinyjax.grad(k))(ws), 3 * ws ** 2 + 1)
    close(tinyjax.grad(lambda ws: tinyjax.vmap(k)(ws).sum())(ws), 3 * ws ** 2 + 1)
    close(tinyjax.jacfwd(tinyjax.vmap(k))(ws), np.diag(3 * np.asarray(ws) ** 2 + 1))


# ----------------------------------------------------------------------------- lax.map

def test_map_matches_python():
    xs = jnp.arange(12.0).reshape(6, 2)
    want = np.stack([np.sin(np.asarray(x)).sum() * np.asarray(x) for x in xs])
    f = lambda x: jnp.sin(x).sum() * x  # noqa: E731
    close(lax.map(f, xs), want)
    for bs in (1, 2, 4, 6, 7, 0):
        close(lax.map(f, xs, batch_size=bs), want)


def test_map_pytrees_and_batch_size_traces_vmapped_body():
    xs = {"a": jnp.arange(5.0), "b": jnp.ones((5, 2))}
    shapes = []

    def f(x):
        shapes.append(x["b"].shape)
        return x["a"] * x["b"], x["a"] + 1

    ys = lax.map(f, xs, batch_size=2)
    close(ys[0], np.arange(5.0)[:, None] * np.ones((5, 2)))
    close(ys[1], np.arange(5.0) + 1)
    assert shapes[0] == (2,)  # per-example shapes inside the vmapped body


def test_map_grad_and_vmap():
    xs = jnp.linspace(0.0, 1.0, 5)
    g = tinyjax.grad(lambda xs: lax.map(jnp.sin, xs, batch_size=2).sum())(xs)
    close(g, np.cos(np.asarray(xs)))
    out = tinyjax.vmap(lambda xs: lax.map(lambda x: x * 2.0, xs))(jnp.ones((3, 4)))
    close(out, 2 * np.ones((3, 4)))


# ----------------------------------------------------------------------------- associative_scan

@pytest.mark.parametrize("n", [1, 2, 5, 8, 13])
def test_associative_scan_cumulative_ops(n):
    rng = np.random.default_rng(n)
    x = rng.normal(size=(n, 3)).astype(np.float32)
    close(lax.associative_scan(lax.add, x), np.cumsum(x, 0))
    close(lax.associative_scan(lax.mul, x), np.cumprod(x, 0), 1e-4)
    close(lax.associative_scan(lax.max, x), np.maximum.accumulate(x, 0))
    close(lax.associative_scan(lax.add, x, reverse=True), np.cumsum(x[::-1], 0)[::-1])
    close(lax.associative_scan(lax.min, x.T, axis=1), np.minimum.accumulate(x.T, 1))
    close(lax.associative_scan(lax.add, x.T, axis=-1, reverse=True),
          np.cumsum(x.T[:, ::-1], 1)[:, ::-1])
    xi = rng.integers(-5, 5, size=(n,)).astype(np.int32)
    out = lax.associative_scan(lax.add, xi)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, np.cumsum(xi))
    xb = rng.random(n) > 0.7
    np.testing.assert_array_equal(lax.associative_scan(jnp.logical_or, xb),
                                  np.logical_or.accumulate(xb))


def test_associative_scan_pytree_linear_recurrence():
    # h_t = a_t h_{t-1} + b_t as a scan over (a, b) pairs with an associative combine
    rng = np.random.default_rng(3)
    a = rng.uniform(0.5, 1.0, size=7).astype(np.float32)
    b = rng.normal(size=7).astype(np.float32)

    def combine(x, y):
        return (x[0] * y[0], y[0] * x[1] + y[1])

    _, h = lax.associative_scan(combine, (a, b))
    c, h_ref = lax.scan(lambda h, ab: (ab[0] * h + ab[1],) * 2, 0.0, (a, b))
    close(h, h_ref, 1e-5)


def test_associative_scan_transforms_and_errors():
    x = jnp.linspace(0.1, 1.0, 6)
    g = tinyjax.grad(lambda x: jnp.sum(lax.associative_scan(lax.mul, x)))(x)
    g_ref = tinyjax.grad(lambda x: jnp.sum(jnp.cumprod(x)))(x)
    close(g, g_ref, 1e-5)
    out = tinyjax.vmap(lambda x: lax.associative_scan(lax.add, x))(jnp.ones((2, 5)))
    close(out, np.cumsum(np.ones((2, 5)), 1))
    with pytest.raises(ValueError, match="same first dimension"):
        lax.associative_scan(lambda a, b: (a[0] + b[0], a[1] + b[1]),
                             (jnp.ones(3), jnp.ones(4)))
    with pytest.raises(TypeError, match="callable"):
        lax.associative_scan(None, jnp.ones(3))


@settings(max_examples=10, deadline=None)
@given(n=st.integers(0, 20), reverse=st.booleans())
def test_associative_scan_property(n, reverse):
    x = np.arange(1, n + 1, dtype=np.int32) % 7
    want = np.cumsum(x[::-1])[::-1] if reverse else np.cumsum(x)
    np.testing.assert_array_equal(lax.associative_scan(lax.add, x, reverse=reverse), want)


# ----------------------------------------------------------------------------- jit

@needs_lowering
def test_jit_scan_matches_eager():
    xs = jnp.linspace(-1.0, 1.0, 7)
    f = lambda w, xs: lax.scan(body_sin(w), 0.3, xs, reverse=True)  # noqa: E731
    tree_close(tinyjax.jit(f)(0.7, xs), f(0.7, xs))
    g = tinyjax.grad(lambda w, xs: jnp.sum(f(w, xs)[1]))
    close(tinyjax.jit(g)(0.7, xs), g(0.7, xs))
    v = tinyjax.vmap(f, (0, None))
    tree_close(tinyjax.jit(v)(jnp.array([0.1, 0.7]), xs), v(jnp.array([0.1, 0.7]), xs))


@needs_lowering
def test_jit_map_and_associative_scan():
    xs = jnp.arange(10.0)
    close(tinyjax.jit(lambda xs: lax.map(jnp.sin, xs, batch_size=3))(xs), np.sin(xs))
    close(tinyjax.jit(lambda xs: lax.associative_scan(lax.add, xs))(xs), np.cumsum(xs))


# ----------------------------------------------------------------------------- JAX as oracle

def test_against_jax():
    jax = pytest.importorskip("jax")
    jjnp = jax.numpy

    def make(np_):
        def f(w, xs):
            def body(c, x):
                a, b = c
                a = np_.tanh(a * w + x)
                return (a, b + a * a), {"s": a * b, "t": np_.cos(x * w)}
            (a, b), ys = (jax.lax if np_ is jjnp else lax).scan(body, (0.2, 0.0), xs,
                                                                 reverse=True)
            return a + b + ys["s"].sum() + ys["t"].mean()
        return f

    xs = np.linspace(-1.0, 1.0, 6).astype(np.float32)
    f, f_jax = make(jnp), make(jjnp)
    close(f(0.7, xs), f_jax(0.7, xs))
    tree_close(tinyjax.grad(f, (0, 1))(0.7, xs),
               tuple(np.asarray(g) for g in jax.grad(f_jax, (0, 1))(0.7, xs)))
    close(tinyjax.vmap(f, (0, None))(jnp.array([0.1, 0.9]), xs),
          jax.vmap(f_jax, (0, None))(jjnp.array([0.1, 0.9]), xs))
    x = np.random.default_rng(0).normal(size=(9, 2)).astype(np.float32)
    close(lax.associative_scan(lax.max, x, reverse=True),
          jax.lax.associative_scan(jax.lax.max, x, reverse=True))
    close(lax.map(jnp.sin, x, batch_size=4), jax.lax.map(jjnp.sin, x, batch_size=4))
