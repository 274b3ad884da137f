"""The differentiation API: jvp, linearize, vjp, grad, value_and_grad, jacfwd, jacrev,
hessian, linear_transpose, custom_jvp/custom_vjp, checkpoint; errors."""
import numpy as np
import pytest

import tinyjax
import tinyjax.numpy as jnp
from tinyjax import lax
from tinyjax.core.config import enable_x64
from tinyjax.test_util import check_grads


def close(a, b, tol=1e-5):
    np.testing.assert_allclose(np.asarray(a, np.float64), np.asarray(b, np.float64),
                               rtol=tol, atol=tol)


def f_poly(x):
    return jnp.sum(jnp.sin(x) * x ** 2 + jnp.exp(-x) / (1.0 + x * x))


def f_poly_grad(x):  # by hand
    return np.cos(x) * x ** 2 + 2 * x * np.sin(x) + (-np.exp(-x) * (1 + x * x)
                                                      - np.exp(-x) * 2 * x) / (1 + x * x) ** 2


X = np.array([0.3, -1.2, 2.0], np.float32)


def test_grad_matches_hand_derivation():
    close(tinyjax.grad(f_poly)(X), f_poly_grad(X.astype(np.float64)))


def test_value_and_grad_and_weak_types():
    v, g = tinyjax.value_and_grad(lambda x: x ** 3)(2.0)
    close(v, 8.0)
    close(g, 12.0)
    assert g.weak_type and g.dtype == np.float32
    assert tinyjax.grad(lambda x: x * 2.0)(np.float32(1.0)).weak_type is False


def test_argnums_has_aux_pytrees():
    def loss(params, x):
        w, b = params["w"], params["b"]
        y = jnp.tanh(x @ w + b)
        return jnp.sum(y ** 2), {"y": y}

    params = {"w": np.ones((3, 2), np.float32) * 0.1, "b": np.zeros(2, np.float32)}
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    (g_params, g_x), aux = tinyjax.grad(loss, argnums=(0, 1), has_aux=True)(params, x)
    assert set(g_params) == {"w", "b"} and g_params["w"].shape == (3, 2)
    assert g_x.shape == (2, 3) and aux["y"].shape == (2, 2)
    # against finite differences of a single entry
    eps = 1e-3
    p2 = {"w": params["w"].copy(), "b": params["b"]}
    p2["w"][1, 0] += eps
    fd = (loss(p2, x)[0] - loss(params, x)[0]) / eps
    close(g_params["w"][1, 0], fd, 1e-2)


def test_jvp_linearize_vjp_agree():
    x = np.array([0.5, 1.5], np.float32)
    t = np.array([1.0, -2.0], np.float32)
    y, ty = tinyjax.jvp(f_poly, (x,), (t,))
    y2, f_lin = tinyjax.linearize(f_poly, x)
    close(y, y2)
    close(ty, f_lin(t))
    y3, f_vjp = tinyjax.vjp(f_poly, x)
    (ct,) = f_vjp(np.float32(1.0))
    close(np.dot(np.asarray(ct), t), ty, 1e-4)


def test_jacfwd_equals_jacrev_and_hessian_vs_fd():
    def f(x):
        return jnp.stack([jnp.sum(x ** 2 * jnp.sin(x)), jnp.prod(jnp.cos(x)), x[0] * x[1]])
    x = np.array([0.3, -0.7, 1.1], np.float32)
    jf = tinyjax.jacfwd(f)(x)
    jr = tinyjax.jacrev(f)(x)
    assert jf.shape == (3, 3)
    close(jf, jr)
    with enable_x64():
        x64 = x.astype(np.float64)
        h = np.asarray(tinyjax.hessian(lambda v: jnp.sum(jnp.sin(v) * v ** 3))(x64))
        g = tinyjax.grad(lambda v: jnp.sum(jnp.sin(v) * v ** 3))
        eps = 1e-6
        fd = np.stack([(np.asarray(g(x64 + eps * e)) - np.asarray(g(x64 - eps * e))) / (2 * eps)
                       for e in np.eye(3)], axis=1)
        close(h, fd, 1e-6)


def test_higher_order_and_hvp():
    f = lambda x: x ** 4 + jnp.sin(x)  # noqa: E731
    d3 = tinyjax.grad(tinyjax.grad(tinyjax.grad(f)))
    close(d3(1.3), 24 * 1.3 - np.cos(1.3), 1e-4)
    # Hessian-vector product by jvp of grad
    loss = lambda v: jnp.sum(v ** 3)  # noqa: E731
    v = np.array([1.0, 2.0], np.float32)
    u = np.array([0.5, -1.0], np.float32)
    _, hvp = tinyjax.jvp(tinyjax.grad(loss), (v,), (u,))
    close(hvp, 6 * v * u)


def test_check_grads_on_composites():
    check_grads(f_poly, (X,), order=2)
    check_grads(lambda a, b: jnp.sum(jnp.dot(a, b) ** 2), (np.ones((2, 3)) * 0.3,
                                                           np.ones((3, 2)) * 0.2), order=2)


def test_grad_errors():
    with pytest.raises(TypeError, match=r"Gradient only defined for scalar-output functions\. "
                                        r"Output had shape: \(3,\)\."):
        tinyjax.grad(lambda x: x * 2)(np.ones(3, np.float32))
    with pytest.raises(TypeError, match=r"argument 0 \('n'\).*allow_int"):
        tinyjax.grad(lambda n: n * 2.0)(3)
    with pytest.raises(TypeError, match="complex"):
        tinyjax.grad(jnp.sin, holomorphic=True)(1.0)
    g = tinyjax.grad(lambda x, n: x * n, argnums=(0, 1), allow_int=True)(2.0, 3)
    assert g[1].dtype == tinyjax.interpreters.ad.float0
    p = tinyjax.core.Primitive("mystery_p")
    tinyjax.core.abstract_eval_rules[p] = lambda x: x
    tinyjax.interpreters.eval.impl_rules[p] = lambda x: x
    with pytest.raises(NotImplementedError, match="'mystery_p'"):
        tinyjax.grad(lambda x: p.bind(x))(1.0)


def test_integer_inputs_get_float0_tangents():
    _, t = tinyjax.jvp(lambda x, n: x * n, (2.0, 3), (1.0, np.zeros((), tinyjax.interpreters.ad.float0)))
    close(t, 3.0)


def test_linear_transpose():
    f = lambda x: 2.0 * x[0] + jnp.sum(x)  # noqa: E731
    x = np.ones(3, np.float32)
    (ct,) = tinyjax.linear_transpose(f, x)(np.float32(1.0))
    close(ct, [3.0, 1.0, 1.0])


def test_stop_gradient():
    g = tinyjax.grad(lambda x: x * lax.stop_gradient(x))(3.0)
    close(g, 3.0)


# ----------------------------------------------------------------------------- custom rules

def test_custom_jvp_rule_is_used_and_composes():
    @tinyjax.custom_jvp
    def f(x):
        return jnp.sin(x)

    @f.defjvp
    def f_jvp(primals, tangents):
        (x,), (t,) = primals, tangents
        return f(x), 10.0 * t  # deliberately not cos(x)

    close(f(1.0), np.sin(1.0))
    close(tinyjax.jvp(f, (1.0,), (1.0,))[1], 10.0)
    close(tinyjax.grad(f)(1.0), 10.0)
    close(tinyjax.grad(lambda x: f(x) * x)(2.0), 10.0 * 2.0 + np.sin(2.0))
    jaxpr = tinyjax.make_jaxpr(f)(1.0)
    assert "sin" in str(jaxpr)


def test_custom_jvp_nondiff_argnums_and_defjvps():
    from functools import partial

    @partial(tinyjax.custom_jvp, nondiff_argnums=(0,))
    def scale(k, x):
        return k * x

    @scale.defjvp
    def scale_jvp(k, primals, tangents):
        return scale(k, primals[0]), 100.0 * tangents[0]

    close(tinyjax.grad(lambda x: scale(3.0, x))(1.0), 100.0)

    @tinyjax.custom_jvp
    def g(x, y):
        return x * y

    g.defjvps(lambda t, ans, x, y: 7.0 * t, lambda t, ans, x, y: 11.0 * t)
    close(tinyjax.grad(g, argnums=(0, 1))(1.0, 2.0), [7.0, 11.0])


def test_custom_vjp_rule_is_used_and_composes():
    @tinyjax.custom_vjp
    def f(x, y):
        return x * y

    def fwd(x, y):
        return f(x, y), (x, y)

    def bwd(res, ct):
        x, y = res
        return (ct * 5.0, ct * 6.0)

    f.defvjp(fwd, bwd)
    close(f(2.0, 3.0), 6.0)
    close(tinyjax.grad(f, argnums=(0, 1))(2.0, 3.0), [5.0, 6.0])
    close(tinyjax.grad(lambda x: f(x, x) + x)(2.0), 12.0)
    with pytest.raises(TypeError, match="forward-mode"):
        tinyjax.jvp(lambda x: f(x, 1.0), (1.0,), (1.0,))

    from functools import partial

    @partial(tinyjax.custom_vjp, nondiff_argnums=(0,))
    def clip_grad(limit, x):
        return x

    clip_grad.defvjp(lambda limit, x: (x, None),
                     lambda limit, res, ct: (jnp.clip(ct, -limit, limit),))
    close(tinyjax.grad(lambda x: 10.0 * clip_grad(2.0, x))(1.0), 2.0)


# ----------------------------------------------------------------------------- checkpoint

def test_checkpoint_same_gradients_and_recomputes():
    def f(x):
        return jnp.sum(jnp.sin(jnp.sin(x)) * x)

    x = np.array([0.1, 0.7, -0.4], np.float32)
    close(tinyjax.grad(tinyjax.checkpoint(f))(x), tinyjax.grad(f)(x))
    plain = str(tinyjax.make_jaxpr(tinyjax.value_and_grad(f))(x))
    remat = str(tinyjax.make_jaxpr(tinyjax.value_and_grad(tinyjax.checkpoint(f)))(x))
    # without checkpoint each sin runs once (its residuals are saved); with it, the
    # backward pass runs the forward sins again
    assert plain.count(" sin ") == 2
    assert remat.count(" sin ") > 2 and "checkpoint" in remat


def test_checkpoint_policies():
    def f(w, x):
        return jnp.sum(jnp.tanh(x @ w) @ w)

    w = np.full((3, 3), 0.2, np.float32)
    x = np.ones((2, 3), np.float32)
    want = tinyjax.grad(f)(w, x)
    for policy in (None, tinyjax.checkpoint_policies.nothing_saveable,
                   tinyjax.checkpoint_policies.dots_saveable,
                   tinyjax.checkpoint_policies.everything_saveable):
        close(tinyjax.grad(tinyjax.checkpoint(f, policy=policy))(w, x), want)


# ----------------------------------------------------------------------------- jaxpr quality

def test_grad_jaxpr_has_no_zero_work_and_no_dead_code():
    jaxpr = tinyjax.make_jaxpr(tinyjax.grad(lambda x: jnp.sum(jnp.sin(x) * x)))(
        np.ones(3, np.float32))
    names = [e.primitive.name for e in jaxpr.eqns]
    assert "reduce_sum" not in names  # the discarded primal output is not computed
    for e in jaxpr.eqns:
        for v in e.invars:
            lit = getattr(v, "val", None)
            assert not (lit is not None and np.all(np.asarray(lit) == 0) and
                        e.primitive.name in ("mul", "add", "add_any")), str(jaxpr)
    used = {id(v) for e in jaxpr.eqns for v in e.invars} | {id(v) for v in jaxpr.jaxpr.outvars}
    assert all(any(id(o) in used for o in e.outvars) for e in jaxpr.eqns)
    assert set(names) <= {"sin", "cos", "broadcast_in_dim", "mul", "add_any"}, names


# ----------------------------------------------------------------------------- more compositions

_UNARY = [jnp.sin, jnp.cos, jnp.tanh, jnp.exp, lambda v: v * v, lambda v: jnp.log1p(v * v),
          lambda v: jnp.sqrt(1.0 + v * v)]


def _random_function(seed):
    """A random composition of smooth elementwise ops, mixing, and a reduction."""
    rng = np.random.default_rng(seed)
    ops = [_UNARY[i] for i in rng.integers(0, len(_UNARY), size=4)]
    mix = rng.normal(size=(3, 3)).astype(np.float32)

    def f(x):
        h = x
        for op in ops:
            h = op(jnp.dot(mix, h) * 0.5)
        return jnp.concatenate([h, jnp.sum(h * x, keepdims=True)])

    return f


@pytest.mark.parametrize("seed", range(5))
def test_jacfwd_equals_jacrev_on_random_functions(seed):
    f = _random_function(seed)
    x = np.random.default_rng(100 + seed).normal(size=3).astype(np.float32) * 0.5
    close(tinyjax.jacfwd(f)(x), tinyjax.jacrev(f)(x), 1e-4)


def test_vjp_has_aux_and_pytree_cotangents():
    def f(d):
        return {"s": jnp.sum(d["a"] ** 2), "v": d["b"] * 3.0}, "aux"

    d = {"a": np.array([1.0, 2.0], np.float32), "b": np.array([0.5], np.float32)}
    out, f_vjp, aux = tinyjax.vjp(f, d, has_aux=True)
    assert aux == "aux"
    (ct,) = f_vjp({"s": np.float32(1.0), "v": np.array([2.0], np.float32)})
    close(ct["a"], [2.0, 4.0])
    close(ct["b"], [6.0])
    with pytest.raises(TypeError, match="structure"):
        f_vjp({"s": np.float32(1.0)})


def test_custom_rules_compose_with_each_other():
    @tinyjax.custom_jvp
    def soft(x):
        return jnp.log1p(jnp.exp(x))

    @soft.defjvp
    def soft_jvp(primals, tangents):
        (x,), (t,) = primals, tangents
        return soft(x), t * 2.0  # custom (wrong on purpose) derivative

    @tinyjax.custom_vjp
    def outer(x):
        return soft(x) * 3.0

    outer.defvjp(lambda x: (outer(x), x),
                 lambda x, ct: (tinyjax.grad(soft)(x) * ct * 3.0,))
    # bwd of the custom_vjp differentiates the custom_jvp function: 2 * 3
    close(tinyjax.grad(outer)(0.7), 6.0)
    # jvp of a function that takes a vjp of a custom_jvp function
    g = lambda x: tinyjax.vjp(soft, x)[1](1.0)[0] * x  # noqa: E731
    close(tinyjax.jvp(g, (1.5,), (1.0,))[1], 2.0)


def test_closure_convert_with_custom_vjp():
    w = jnp.asarray(np.array([1.5, -2.0], np.float32))

    def f(x):
        return jnp.sum(jnp.sin(x * w))

    x = np.array([0.2, 0.4], np.float32)
    f_conv, consts = tinyjax.closure_convert(f, x)
    assert len(consts) == 1
    close(f_conv(x, *consts), f(x))
    close(tinyjax.grad(lambda c: f_conv(x, c))(consts[0]), x * np.cos(x * np.asarray(w)))
