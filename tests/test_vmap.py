"""vmap's API semantics (in_axes/out_axes, kwargs, nesting, errors), collectives over
named axes, the batched jaxprs, and composition with differentiation."""
import numpy as np
import pytest

import tinyjax
import tinyjax.numpy as jnp
from tinyjax import lax


def close(a, b, tol=1e-5):
    np.testing.assert_allclose(np.asarray(a, np.float64), np.asarray(b, np.float64),
                               rtol=tol, atol=tol)


X = np.arange(12, dtype=np.float32).reshape(3, 4)


def test_in_axes_out_axes_and_kwargs():
    f = lambda x, y: x * 2 + y  # noqa: E731
    close(tinyjax.vmap(f, in_axes=(1, None))(X, np.float32(1)), (X * 2 + 1).T)
    close(tinyjax.vmap(f, in_axes=(0, 0), out_axes=1)(X, X), (3 * X).T)
    close(tinyjax.vmap(f, in_axes=(-1, None), out_axes=-1)(X, np.ones(3, np.float32)),
          X * 2 + 1)
    g = lambda x, *, scale: x * scale  # noqa: E731
    close(tinyjax.vmap(g)(X, scale=np.arange(3, dtype=np.float32)),
          X * np.arange(3)[:, None])
    tree = {"a": X, "b": (X[0], X)}
    out = tinyjax.vmap(lambda t: t["a"] + t["b"][1], in_axes=({"a": 0, "b": (None, 0)},))(tree)
    close(out, 2 * X)
    unb = tinyjax.vmap(lambda x: (x, jnp.float32(7.0)), out_axes=(0, None))(X)
    close(unb[1], 7.0)
    bcast = tinyjax.vmap(lambda x: jnp.float32(7.0))(X)
    assert bcast.shape == (3,)


def test_nested_vmap_and_axis_size():
    f = tinyjax.vmap(tinyjax.vmap(lambda a, b: a * b, in_axes=(0, None)), in_axes=(None, 0))
    out = f(np.arange(3.0, dtype=np.float32), np.arange(4.0, dtype=np.float32))
    close(out, np.arange(4)[:, None] * np.arange(3)[None, :])
    out = tinyjax.vmap(lambda: jnp.float32(1.0), in_axes=(), axis_size=5)()
    assert out.shape == (5,)


def test_errors():
    with pytest.raises(ValueError, match=r"(?s)inconsistent sizes.*size 3.*argument 0.*size 4"
                                         r".*argument 1"):
        tinyjax.vmap(lambda a, b: a + b)(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="at least 3.*only 2"):
        tinyjax.vmap(lambda a: a, in_axes=2)(X)
    with pytest.raises(ValueError, match="at least one non-None"):
        tinyjax.vmap(lambda a: a, in_axes=None)(X)
    with pytest.raises(TypeError, match="in_axes"):
        tinyjax.vmap(lambda a: a, in_axes="x")(X)
    with pytest.raises(ValueError, match="out_axes is None"):
        tinyjax.vmap(lambda a: a, out_axes=None)(X)


def test_matmul_and_conv_batch_into_one_primitive():
    jaxpr = tinyjax.make_jaxpr(tinyjax.vmap(jnp.matmul, in_axes=(0, None)))(
        np.ones((5, 2, 3), np.float32), np.ones((3, 4), np.float32))
    assert [e.primitive.name for e in jaxpr.eqns].count("dot_general") == 1
    jaxpr = tinyjax.make_jaxpr(tinyjax.vmap(jnp.matmul))(
        np.ones((5, 2, 3), np.float32), np.ones((5, 3, 4), np.float32))
    assert [e.primitive.name for e in jaxpr.eqns].count("dot_general") == 1
    conv = lambda x, w: lax.conv_general_dilated(x, w, (1, 1), "SAME")  # noqa: E731
    jaxpr = tinyjax.make_jaxpr(tinyjax.vmap(conv, in_axes=(0, None)))(
        np.ones((4, 2, 3, 5, 5), np.float32), np.ones((6, 3, 3, 3), np.float32))
    assert [e.primitive.name for e in jaxpr.eqns].count("conv_general_dilated") == 1


def test_collectives_match_hand_computed():
    x = np.arange(4, dtype=np.float32) + 1
    close(tinyjax.vmap(lambda v: lax.psum(v, "i"), axis_name="i")(x), np.full(4, x.sum()))
    close(tinyjax.vmap(lambda v: v / lax.psum(v, "i"), axis_name="i")(x), x / x.sum())
    close(tinyjax.vmap(lambda v: lax.pmean(v, "i"), axis_name="i")(x), np.full(4, x.mean()))
    close(tinyjax.vmap(lambda v: lax.pmax(v, "i"), axis_name="i")(x), np.full(4, 4.0))
    close(tinyjax.vmap(lambda v: lax.pmin(v, "i"), axis_name="i")(x), np.full(4, 1.0))
    close(tinyjax.vmap(lambda v: lax.axis_index("i"), axis_name="i")(x), np.arange(4))
    g = tinyjax.vmap(lambda v: lax.all_gather(v, "i"), axis_name="i")(x)
    close(g, np.tile(x, (4, 1)))
    p = tinyjax.vmap(lambda v: lax.ppermute(v, "i", [(0, 1), (1, 2), (2, 3)]),
                     axis_name="i")(x)
    close(p, [0.0, 1.0, 2.0, 3.0])
    # an unbatched value summed over the axis counts every member
    close(tinyjax.vmap(lambda v: lax.psum(1.0, "i"), axis_name="i")(x), np.full(4, 4.0))


def test_nested_named_axes():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    f = tinyjax.vmap(tinyjax.vmap(lambda v: lax.psum(v, "j"), axis_name="j"), axis_name="i")
    close(f(x), np.repeat(x.sum(1, keepdims=True), 3, 1))
    f = tinyjax.vmap(tinyjax.vmap(lambda v: lax.psum(v, "i"), axis_name="j"), axis_name="i")
    close(f(x), np.repeat(x.sum(0, keepdims=True), 2, 0))
    f = tinyjax.vmap(tinyjax.vmap(lambda v: lax.psum(v, ("i", "j")), axis_name="j"),
                     axis_name="i")
    close(f(x), np.full((2, 3), x.sum()))
    with pytest.raises(NameError, match="unbound axis name: k"):
        tinyjax.vmap(lambda v: lax.psum(v, "k"), axis_name="i")(x)
    with pytest.raises(NameError, match="unbound axis name"):
        lax.psum(np.ones(2), "i")


def test_grad_compositions():
    def loss(w, x, y):
        return jnp.sum((jnp.tanh(x @ w) - y) ** 2)

    rng = np.random.default_rng(0)
    w = rng.normal(size=(3, 2)).astype(np.float32)
    xs = rng.normal(size=(5, 4, 3)).astype(np.float32)
    ys = rng.normal(size=(5, 4, 2)).astype(np.float32)
    per_ex = tinyjax.vmap(tinyjax.grad(loss), in_axes=(None, 0, 0))(w, xs, ys)
    loop = np.stack([np.asarray(tinyjax.grad(loss)(w, x, y)) for x, y in zip(xs, ys)])
    close(per_ex, loop, 1e-4)
    total = tinyjax.grad(lambda w: jnp.sum(tinyjax.vmap(loss, in_axes=(None, 0, 0))(w, xs, ys)))(w)
    close(total, loop.sum(0), 1e-4)
    # jacobians built on vmap, and psum under grad
    f = lambda v: jnp.sin(v) * v[::-1]  # noqa: E731
    v = np.array([0.3, -0.2, 0.9], np.float32)
    close(tinyjax.jacfwd(f)(v), tinyjax.jacrev(f)(v))
    g = tinyjax.grad(lambda v: jnp.sum(tinyjax.vmap(
        lambda a: a * lax.psum(a, "i"), axis_name="i")(v)))(v)
    close(g, np.full(3, 2 * v.sum()), 1e-5)  # d/dv_k sum_i v_i * sum(v) = 2 sum(v)


def test_vmap_of_every_jnp_ufunc_matches_loop():
    from test_numpy_ufuncs import SHAPES, UFUNCS, _values
    rng = np.random.default_rng(0)
    for name, _, arity, dts, domain in UFUNCS:
        fn = getattr(jnp, name)
        dtype = dts[0]
        n = 3
        shapes = SHAPES[2][:arity]  # (2, 3) and (3,): broadcasting inside each example
        examples = [[_values(rng, dtype, domain, s) for s in shapes] for _ in range(n)]
        stacked = [np.stack([ex[i] for ex in examples]) for i in range(arity)]
        in_axes = (0,) + (None,) * (arity - 1) if arity > 1 else 0
        if arity > 1:  # keep the second operand unbatched, as the loop sees it
            stacked[1:] = [examples[0][i] for i in range(1, arity)]
            for ex in examples:
                ex[1:] = examples[0][1:]
        got = tinyjax.vmap(fn, in_axes=in_axes)(*stacked)
        got = got[0] if isinstance(got, tuple) else got
        w = np.stack([x[0] if isinstance(x, tuple) else x for x in
                      [fn(*ex) for ex in examples]])
        np.testing.assert_allclose(np.asarray(got, np.float64), np.asarray(w, np.float64),
                                   rtol=1e-5, atol=1e-6, equal_nan=True, err_msg=name)
