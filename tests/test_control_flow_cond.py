"""lax.cond / lax.switch (the cond primitive): eager results against Python references,
traced jaxprs, errors, JVP/VJP (check_grads to order 2), partial evaluation, transpose,
vmap with batched and unbatched predicates, nesting, collectives; real JAX as oracle.
Also jnp.vectorize (built on vmap) and jnp.piecewise."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinyjax
import tinyjax.numpy as jnp
from tinyjax import lax
from tinyjax.core.config import enable_x64
from tinyjax.test_util import check_grads


def close(a, b, tol=1e-5):
    np.testing.assert_allclose(np.asarray(a, np.float64), np.asarray(b, np.float64),
                               rtol=tol, atol=tol)


def _lowered(name):
    from tinyjax.lowering.rules import lowering_rules
    return any(p.name == name for p in lowering_rules)


needs_lowering = pytest.mark.skipif(not _lowered("cond"),
                                    reason="the compiler cannot lower cond yet")

X = np.array([0.5, -1.25, 2.0], np.float32)
W = np.array([1.0, -2.0, 0.5], np.float32)


def _cond_eqns(jaxpr):
    return [e for e in jaxpr.eqns if e.primitive.name == "cond"]


# ----------------------------------------------------------------------------- eager

@pytest.mark.parametrize("pred", [True, False, 0, 3, -1, 0.0, 0.5, np.uint8(2), np.bool_(False),
                                  np.float16(0.0), np.int8(-3)])
def test_cond_eager_pred_kinds(pred):
    out = lax.cond(pred, lambda x: x * 2.0, lambda x: x - 1.0, X)
    close(out, X * 2 if pred else X - 1)


def test_cond_pytrees_closures_and_operand_kwarg():
    w = jnp.asarray(W)

    def t(ops):
        x, (y, d) = ops
        return {"a": jnp.sin(x) * w, "b": (y + d["k"], jnp.int32(1))}

    def f(ops):
        x, (y, d) = ops
        return {"a": x * y, "b": (y - d["k"], jnp.int32(2))}

    ops = (X, (W, {"k": np.float32(3.0)}))
    for p in (True, False):
        out = lax.cond(p, t, f, ops)
        ref = t(ops) if p else f(ops)
        close(out["a"], ref["a"])
        close(out["b"][0], ref["b"][0])
        assert int(out["b"][1]) == (1 if p else 2) and out["b"][1].dtype == np.int32
    close(lax.cond(False, lambda a: a + 1, lambda a: a * 3, operand=X), X * 3)
    # several operands, and none at all
    close(lax.cond(True, lambda a, b: a * b, lambda a, b: a - b, X, W), X * W)
    close(lax.cond(False, lambda: jnp.float32(1), lambda: jnp.float32(2)), 2.0)


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.uint8, np.uint16, np.uint32,
                                   np.float16, np.float32, np.bool_])
def test_cond_operand_dtypes(dtype):
    x = np.array([1, 0, 1], dtype)
    out = lax.cond(True, lambda v: v, lambda v: lax.rev(v, (0,)), x)
    assert out.dtype == dtype
    np.testing.assert_array_equal(out, x)
    out = lax.cond(False, lambda v: v, lambda v: lax.rev(v, (0,)), x[::-1].copy())
    np.testing.assert_array_equal(out, x)


def test_cond_zero_d_and_empty():
    e = np.zeros((0, 2), np.float32)
    out = lax.cond(True, lambda v: v + 1, lambda v: v, e)
    assert out.shape == (0, 2)
    assert float(lax.cond(False, jnp.sin, jnp.cos, np.float32(0.0))) == 1.0


@pytest.mark.parametrize("index", [-5, -1, 0, 1, 2, 3, 100])
def test_switch_eager_clamps(index):
    branches = [lambda x: x + 1.0, lambda x: x * 2.0, lambda x: -x]
    out = lax.switch(index, branches, X)
    close(out, branches[min(max(index, 0), 2)](X))


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.uint8, np.uint16, np.uint32])
def test_switch_index_dtypes(dtype):
    branches = [lambda x: x + 1.0, lambda x: x * 2.0, lambda x: -x]
    for i in (0, 1, 2, 7):
        close(lax.switch(np.asarray(i, dtype), branches, X), branches[min(i, 2)](X))
    # uint32 wraps to a negative int32, which clamps to branch 0 (as in JAX)
    close(lax.switch(np.uint32(2**32 - 1), branches, X), X + 1)


def test_switch_x64():
    with enable_x64():
        x = np.arange(3, dtype=np.float64)
        out = lax.switch(np.int64(1), [lambda v: v, lambda v: v * 2], x)
        assert out.dtype == np.float64
        close(out, 2 * x)


def test_switch_single_branch_is_a_call():
    jaxpr = tinyjax.make_jaxpr(lambda i, x: lax.switch(i, [lambda v: v * 2], x))(1, X)
    assert not _cond_eqns(jaxpr.jaxpr)
    close(lax.switch(5, [lambda v: v * 2], X), 2 * X)


def test_weak_types():
    both_weak = lax.cond(True, lambda x: 1.0, lambda x: 2.0, X)
    assert both_weak.weak_type and both_weak.dtype == np.float32
    mixed = lax.cond(True, lambda x: 1.0, lambda x: jnp.float32(2), X)
    assert not mixed.weak_type and float(mixed) == 1.0
    jaxpr = tinyjax.make_jaxpr(lambda p: lax.cond(p, lambda: 1.0, lambda: jnp.float32(2)))(True)
    assert not jaxpr.jaxpr.outvars[0].aval.weak_type


def test_disable_jit_runs_one_branch():
    calls = []

    def t(x):
        calls.append("t")
        return x + 1

    def f(x):
        calls.append("f")
        return x - 1

    with tinyjax.disable_jit():
        close(lax.cond(True, t, f, X), X + 1)
        close(lax.switch(1, [f, t], X), X + 1)
    assert calls == ["t", "t"]
    calls.clear()
    lax.cond(True, t, f, X)
    assert sorted(calls) == ["f", "t"]   # otherwise both are traced


# ----------------------------------------------------------------------------- jaxprs

def test_cond_jaxpr():
    jaxpr = tinyjax.make_jaxpr(
        lambda p, x: lax.cond(p, lambda x: x * 2.0, lambda x: x + 1.0, x))(True, X)
    j = jaxpr.jaxpr
    names = [e.primitive.name for e in j.eqns]
    assert names == ["convert_element_type", "cond"]
    (eqn,) = _cond_eqns(j)
    false_b, true_b = eqn.params["branches"]
    assert [e.primitive.name for e in false_b.jaxpr.eqns] == ["add"]   # false_fun first
    assert [e.primitive.name for e in true_b.jaxpr.eqns] == ["mul"]
    assert false_b.consts == [] and true_b.consts == []
    assert eqn.invars[0].aval.dtype == np.int32 and eqn.invars[0].aval.shape == ()
    assert [v.aval.str_short() for v in j.outvars] == ["f32[3]"]
    assert "cond[" in str(jaxpr)
    # a numeric predicate is compared with zero first
    j2 = tinyjax.make_jaxpr(lambda p, x: lax.cond(p, jnp.sin, jnp.cos, x))(1.5, X).jaxpr
    assert [e.primitive.name for e in j2.eqns] == ["ne", "convert_element_type", "cond"]


def test_switch_jaxpr_clamps_and_hoists_consts():
    w = jnp.asarray(W)
    jaxpr = tinyjax.make_jaxpr(lambda i, x: lax.switch(
        i, [lambda x: x * w, lambda x: x + 1.0, jnp.sin], x))(1, X)
    j = jaxpr.jaxpr
    assert [e.primitive.name for e in j.eqns] == ["convert_element_type", "clamp", "cond"]
    (eqn,) = _cond_eqns(j)
    assert len(eqn.params["branches"]) == 3
    # the closed-over w is an operand of every branch
    assert len(eqn.invars) == 3
    for b in eqn.params["branches"]:
        assert [a.shape for a in b.in_avals] == [(3,), (3,)]
    assert jaxpr.consts and np.asarray(jaxpr.consts[0]).shape == (3,)


# ----------------------------------------------------------------------------- errors

def test_pred_errors():
    with pytest.raises(TypeError, match=r"Pred must be a scalar, got \[ True\] of shape \(1,\)"):
        lax.cond(np.array([True]), lambda x: x, lambda x: x, 1.0)
    with pytest.raises(TypeError, match="Pred must be a scalar, got a of type"):
        lax.cond("a", lambda x: x, lambda x: x, 1.0)
    with pytest.raises(TypeError, match="true_fun and false_fun arguments should be callable"):
        lax.cond(True, 1, lambda x: x, 1.0)
    with pytest.raises(TypeError, match="no positional operands can be passed"):
        lax.cond(True, lambda x: x, lambda x: x, 1.0, operand=2.0)


def test_branch_output_errors():
    with pytest.raises(TypeError, match=r"(?s)cond branches must have equal output types.*"
                       r"true_fun is <lambda> at .*false_fun is <lambda>.*"
                       r"output of true_fun has type f32\[\] but the corresponding output of "
                       r"false_fun has type i32\[\], so the dtypes do not match"):
        lax.cond(True, lambda x: x, lambda x: x.astype(np.int32), 1.0)
    with pytest.raises(TypeError, match=r"(?s)at path \[1\]\['a'\] has type f32\[3\] .* "
                       r"f32\[\], so the shapes do not match"):
        lax.cond(True, lambda x: (x, {"a": jnp.ones(3)}), lambda x: (x, {"a": x}), 1.0)
    with pytest.raises(TypeError, match=r"(?s)same pytree structure.*true_fun output has "
                       r"structure"):
        lax.cond(True, lambda x: x, lambda x: (x, x), 1.0)
    with pytest.raises(TypeError, match=r"(?s)switch branches must have equal output types.*"
                       r"branch 0 is .*branch 1 is .*so the dtypes do not match"):
        lax.switch(1, [lambda x: x, lambda x: x.astype(np.int32), lambda x: x], 1.0)
    with pytest.raises(TypeError, match="not a valid JAX type"):
        lax.cond(True, lambda x: "a", lambda x: "a", 1.0)


def test_switch_errors():
    with pytest.raises(ValueError, match="Empty branch sequence"):
        lax.switch(0, [], 1.0)
    with pytest.raises(TypeError, match=r"Branch index must be scalar, got \[1\] of shape"):
        lax.switch(np.array([1]), [lambda x: x, lambda x: x], 1.0)
    with pytest.raises(TypeError, match="Index type must be an integer, got 1.5 as float32"):
        lax.switch(1.5, [lambda x: x, lambda x: x + 1], 1.0)
    with pytest.raises(TypeError, match="Index type must be an integer, got True as bool"):
        lax.switch(True, [lambda x: x, lambda x: x + 1], 1.0)
    with pytest.raises(TypeError, match="sequence of callables"):
        lax.switch(1, [lambda x: x, 3], 1.0)


def test_primitive_type_checks():
    b = tinyjax.make_jaxpr(lambda x: x + 1.0)(X)
    bi = tinyjax.make_jaxpr(lambda x: x.astype(np.int32))(X)
    with pytest.raises(TypeError, match="cond index must be an int32 scalar"):
        lax.cond_p.bind(jnp.float32(0), jnp.asarray(X), branches=(b, b))
    with pytest.raises(TypeError, match=r"branch 1 returns \(i32\[3\]\)"):
        lax.cond_p.bind(jnp.int32(0), jnp.asarray(X), branches=(b, bi))
    with pytest.raises(TypeError, match=r"takes inputs \(f32\[3\]\) but is called with"):
        lax.cond_p.bind(jnp.int32(0), jnp.ones(4), branches=(b, b))


# ----------------------------------------------------------------------------- autodiff

def _f_cond(x, y):
    return lax.cond(jnp.sum(x) > 0,
                    lambda a: (jnp.sin(a[0]) * a[1], a[0] * 2.0),
                    lambda a: (a[0] * a[1] * a[1], jnp.exp(a[0])),
                    (x, y))


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_cond_check_grads_order2(sign):
    check_grads(lambda x, y: _f_cond(x, y), (sign * X, W), order=2)


@pytest.mark.parametrize("index", [-1, 0, 1, 2, 3])
def test_switch_check_grads_order2(index):
    branches = [lambda x: jnp.sin(x) * x, jnp.exp, lambda x: x ** 3, lambda x: x]
    check_grads(lambda x: lax.switch(index, branches, x), (X,), order=2)


def test_jvp_values_and_closure_gradient():
    def f(x, w):
        return lax.cond(x[0] > 0, lambda x: jnp.sum(jnp.sin(x) * w),
                        lambda x: jnp.sum(x * x), x)
    x = jnp.asarray(X)
    p, t = tinyjax.jvp(lambda x: f(x, W), (x,), (jnp.ones(3),))
    close(p, np.sum(np.sin(X) * W))
    close(t, np.sum(np.cos(X) * W))
    # gradient with respect to a value the branch closes over
    close(tinyjax.grad(lambda w: f(x, w))(jnp.asarray(W)), np.sin(X))
    close(tinyjax.grad(lambda w: f(-x, w))(jnp.asarray(W)), np.zeros(3))
    check_grads(f, (X, W), order=2)
    check_grads(f, (-X, W), order=2)


def test_outputs_known_in_one_branch_only():
    # a constant output in one branch, a differentiable one in the other: the linearized
    # cond must produce the tangent in both (zeros where the branch is constant)
    def k(x):
        return lax.cond(x > 0, lambda x: (x * 2.0, 1.0), lambda x: (3.0, x * x), x)
    for x0 in (0.7, -0.7):
        check_grads(k, (x0,), order=2)
    g = tinyjax.grad(lambda x: k(x)[0] + k(x)[1])
    close(g(0.7), 2.0)
    close(g(-0.7), -1.4)


def test_integer_outputs_and_operands_under_grad():
    def f(x, n):
        out, m = lax.cond(n > 2, lambda x, n: (x * n.astype(np.float32), n + 1),
                          lambda x, n: (jnp.sin(x), n * 2), x, n)
        return jnp.sum(out) * m.astype(np.float32)
    close(tinyjax.grad(f)(jnp.asarray(X), jnp.int32(3)), 3 * 4 * np.ones(3))
    close(tinyjax.grad(f)(jnp.asarray(X), jnp.int32(1)), 2 * np.cos(X))


def test_linearize_and_transpose():
    f = lambda x: lax.cond(x[0] > 0, lambda x: 2.0 * x, lambda x: x * W, x)  # noqa: E731
    y, f_lin = tinyjax.linearize(f, jnp.asarray(X))
    close(y, 2 * X)
    close(f_lin(jnp.ones(3)), 2 * np.ones(3))
    jaxpr = tinyjax.make_jaxpr(f_lin)(jnp.ones(3))
    assert any(e.primitive.name == "cond" for e in jaxpr.jaxpr.eqns)
    # transpose of a linear cond is the cond of the transposed branches
    ft = tinyjax.linear_transpose(
        lambda t: lax.cond(False, lambda t: 2.0 * t, lambda t: t * W, t), jnp.asarray(X))
    close(ft(jnp.ones(3))[0], W)
    ft = tinyjax.linear_transpose(
        lambda t: lax.switch(1, [lambda t: (-t[1:], t), lambda t: (t[:2], t * 3.0)], t), jnp.asarray(X))
    (ct,) = ft((jnp.ones(2), jnp.ones(3)))
    close(ct, [4.0, 4.0, 3.0])


def test_grad_jaxpr_saves_residuals_once():
    g = lambda x: lax.cond(x > 0, lambda x: jnp.sin(x) * x, lambda x: x * 3.0, x)  # noqa: E731
    jaxpr = tinyjax.make_jaxpr(tinyjax.grad(g))(1.0).jaxpr
    conds = _cond_eqns(jaxpr)
    assert len(conds) == 2            # the forward cond and the transposed (backward) one
    fwd, bwd = conds
    # every branch of each cond has the same operand and result types
    for eqn in conds:
        bs = eqn.params["branches"]
        assert len({tuple(a.str_short() for a in b.out_avals) for b in bs}) == 1
    assert len(fwd.outvars) <= 4      # primal out + residuals (cos x, sin x; x is an operand)
    close(tinyjax.grad(g)(1.0), np.cos(1.0) * 1.0 + np.sin(1.0))
    close(tinyjax.grad(g)(-1.0), 3.0)


# ----------------------------------------------------------------------------- nesting

def _nested(x):
    return lax.cond(x[0] > 0,
                    lambda x: lax.cond(x[1] > 0, lambda x: x * jnp.sin(x), jnp.cos, x),
                    lambda x: lax.switch(jnp.int32(x[2] > 1.0), [lambda x: x ** 2,
                                                                 lambda x: x * W], x),
                    x)


def _nested_ref(x):
    if x[0] > 0:
        return x * np.sin(x) if x[1] > 0 else np.cos(x)
    return x * W if x[2] > 1.0 else x ** 2


NESTED_XS = [X, -X, np.array([0.5, 0.5, 1.0], np.float32), np.array([-0.5, 0.5, 0.5],
                                                                      np.float32)]


@pytest.mark.parametrize("k", range(len(NESTED_XS)))
def test_nested_cond(k):
    x = NESTED_XS[k]
    close(_nested(x), _nested_ref(x))
    check_grads(_nested, (x,), order=2)


def test_nested_cond_vmap_and_grad():
    xs = np.stack(NESTED_XS)
    close(tinyjax.vmap(_nested)(xs), np.stack([_nested_ref(x) for x in xs]))
    jac = tinyjax.jacrev(lambda x: jnp.sum(tinyjax.vmap(_nested)(x)))(xs)
    jac_ref = np.stack([np.asarray(tinyjax.grad(lambda v: jnp.sum(_nested(v)))(x))
                        for x in xs])
    close(jac, jac_ref)


# ----------------------------------------------------------------------------- vmap

def test_vmap_batched_predicate():
    f = lambda p, x: lax.cond(p, lambda x: jnp.sin(x) * x, lambda x: x * 3.0, x)  # noqa: E731
    ps = np.array([True, False, True])
    out = tinyjax.vmap(f)(ps, X)
    close(out, np.where(ps, np.sin(X) * X, X * 3))
    # the batched predicate is a select over all branches: no cond left in the jaxpr
    j = tinyjax.make_jaxpr(tinyjax.vmap(f))(ps, X).jaxpr
    assert not _cond_eqns(j) and any(e.primitive.name == "select_n" for e in j.eqns)
    # unbatched operand, batched predicate
    out = tinyjax.vmap(f, in_axes=(0, None))(ps, np.float32(2.0))
    close(out, np.where(ps, np.sin(2.0) * 2.0, 6.0))


def test_vmap_unbatched_predicate_keeps_cond():
    f = lambda p, x: lax.cond(p, jnp.sin, jnp.cos, x)  # noqa: E731
    m = np.arange(6, dtype=np.float32).reshape(2, 3)
    for p in (True, False):
        out = tinyjax.vmap(f, in_axes=(None, 1))(p, m)
        close(out, (np.sin(m) if p else np.cos(m)).T)
    j = tinyjax.make_jaxpr(tinyjax.vmap(f, in_axes=(None, 0)))(True, m).jaxpr
    (eqn,) = _cond_eqns(j)
    assert eqn.outvars[0].aval.shape == (2, 3)


def test_vmap_unbatched_outputs_stay_unbatched():
    c = np.float32(3.0)
    f = lambda p, x: lax.cond(p, lambda x, c: (x + 1, c * 2), lambda x, c: (x - 1, c * 3),  # noqa
                              x, c)
    a, b = tinyjax.vmap(f, in_axes=(None, 0), out_axes=(0, None))(True, X)
    close(a, X + 1)
    close(b, 6.0)


@pytest.mark.parametrize("batched_index", [True, False])
def test_vmap_switch_multiple_outputs(batched_index):
    branches = [lambda x: (x, 1), lambda x: (x * 2, 2), lambda x: (-x, 3)]
    idx = np.array([0, 1, 5, -2], np.int32)
    xs = np.arange(4, dtype=np.float32)
    if batched_index:
        a, b = tinyjax.vmap(lambda i, x: lax.switch(i, branches, x))(idx, xs)
        ci = np.clip(idx, 0, 2)
    else:
        a, b = tinyjax.vmap(lambda x: lax.switch(1, branches, x))(xs)
        ci = np.ones(4, int)
    close(a, np.choose(ci, [xs, 2 * xs, -xs]))
    np.testing.assert_array_equal(b, ci + 1)
    assert b.dtype == np.int32


def test_vmap_batched_predicate_int_operands():
    f = lambda p, n: lax.cond(p, lambda n: n * 2, lambda n: n + 7, n)  # noqa: E731
    ps = np.array([True, False, False])
    ns = np.array([1, 2, 3], np.int32)
    out = tinyjax.vmap(f)(ps, ns)
    np.testing.assert_array_equal(out, np.where(ps, ns * 2, ns + 7))
    assert out.dtype == np.int32


def test_grad_of_vmap_untaken_branch_gets_no_gradient():
    # sqrt of a negative number in the untaken branch must not poison the gradient
    f = lambda x: jnp.sum(tinyjax.vmap(  # noqa: E731
        lambda x: lax.cond(x > 0, jnp.sqrt, lambda x: x * 0.0, x))(x))
    x = np.array([4.0, -1.0, 0.25], np.float32)
    g = tinyjax.grad(f)(x)
    close(g, [0.25, 0.0, 1.0])
    check_grads(lambda x: jnp.sum(tinyjax.vmap(
        lambda x: lax.cond(x > 0, jnp.sin, jnp.cos, x))(x)), (X,), order=2)


def test_vmap_of_grad_and_jacobians():
    f = lambda x: lax.cond(x > 0, jnp.sin, jnp.cos, x)  # noqa: E731
    close(tinyjax.vmap(tinyjax.grad(f))(X), np.where(X > 0, np.cos(X), -np.sin(X)))
    g = lambda x: lax.cond(x[0] > 0, lambda x: x * x, lambda x: jnp.sin(x), x)  # noqa: E731
    for x in (X, -X):
        close(tinyjax.jacfwd(g)(x), tinyjax.jacrev(g)(x))
    close(tinyjax.jacfwd(g)(X), np.diag(2 * X))


def test_collectives_inside_cond_under_named_vmap():
    xs = np.arange(4, dtype=np.float32)
    f = lambda p, x: lax.cond(p, lambda x: x - lax.pmean(x, "i"),  # noqa: E731
                              lambda x: x * lax.psum(x, "i"), x)
    close(tinyjax.vmap(f, in_axes=(None, 0), axis_name="i")(True, xs), xs - xs.mean())
    close(tinyjax.vmap(f, in_axes=(None, 0), axis_name="i")(False, xs), xs * xs.sum())
    ps = np.array([True, False, True, False])
    close(tinyjax.vmap(f, axis_name="i")(ps, xs),
          np.where(ps, xs - xs.mean(), xs * xs.sum()))
    # a collective on unbatched values inside the branch still sees the axis
    c = np.float32(2.0)
    out = tinyjax.vmap(lambda x: x + lax.cond(True, lambda c: c * lax.psum(1.0, "i"),
                                              lambda c: c, c), axis_name="i")(xs)
    close(out, xs + 8.0)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(-3, 5), min_size=1, max_size=5),
       st.sampled_from([(), (2,), (0,), (2, 3)]))
def test_switch_vmap_matches_loop(indices, shape):
    branches = [lambda x: x + 1.0, lambda x: jnp.cos(x), lambda x: x * x, lambda x: -x]
    n = len(indices)
    xs = np.random.default_rng(n).standard_normal((n,) + shape).astype(np.float32)
    idx = np.array(indices, np.int32)
    out = tinyjax.vmap(lambda i, x: lax.switch(i, branches, x))(idx, xs)
    ref = [np.asarray(lax.switch(int(i), branches, x)) for i, x in zip(idx, xs)]
    close(out, np.stack(ref) if n else out)
    assert out.shape == (n,) + shape


# ----------------------------------------------------------------------------- jit

@needs_lowering
def test_jit_cond_and_switch():
    f = tinyjax.jit(lambda p, x: lax.cond(p, jnp.sin, jnp.cos, x))
    close(f(True, X), np.sin(X))
    close(f(False, X), np.cos(X))
    g = tinyjax.jit(lambda i, x: lax.switch(i, [jnp.sin, jnp.cos, lambda x: -x], x))
    for i in (-1, 0, 1, 2, 9):
        close(g(i, X), [np.sin, np.cos, np.negative][min(max(i, 0), 2)](X))


@needs_lowering
def test_jit_grad_vmap_of_cond():
    f = lambda x: lax.cond(x > 0, lambda x: jnp.sin(x) * x, lambda x: x * 3.0, x)  # noqa: E731
    close(tinyjax.jit(tinyjax.grad(f))(1.0), np.cos(1.0) + np.sin(1.0))
    close(tinyjax.grad(tinyjax.jit(f))(-1.0), 3.0)
    close(tinyjax.jit(tinyjax.vmap(f))(X), np.where(X > 0, np.sin(X) * X, 3 * X))
    close(tinyjax.jit(_nested)(X), _nested_ref(X))


# ----------------------------------------------------------------------------- JAX oracle

def test_against_jax():
    jax = pytest.importorskip("jax")
    jlax = jax.lax

    def make(L, np_):
        def f(x, i):
            y = L.switch(i, [lambda x: np_.sin(x) * x, lambda x: x ** 2,
                             lambda x: L.cond(x[0] > 0, np_.exp, np_.tanh, x)], x)
            return np_.sum(y * y)
        return f

    f_t, f_j = make(lax, jnp), make(jlax, jax.numpy)
    for i in (0, 1, 2, 3):
        for x in (X, -X):
            close(f_t(x, i), f_j(x, i), 1e-5)
            close(tinyjax.grad(f_t)(x, i), jax.grad(f_j)(x, i), 1e-5)
            close(tinyjax.jacfwd(tinyjax.grad(f_t))(x, i),
                  jax.jacfwd(jax.grad(f_j))(x, i), 1e-4)
    idx = np.array([0, 2, 1, 5], np.int32)
    xs = np.stack([X, -X, X * 2, -X * 2])
    close(tinyjax.vmap(f_t)(xs, idx), jax.vmap(f_j)(xs, idx), 1e-5)
    close(tinyjax.grad(lambda xs: jnp.sum(tinyjax.vmap(f_t)(xs, idx)))(xs),
          jax.grad(lambda xs: jax.numpy.sum(jax.vmap(f_j)(xs, idx)))(xs), 1e-5)
    # weak types agree
    for fa, fb in ((lambda: 1.0, lambda: 2.0), (lambda: 1.0, lambda: np.float32(2))):
        a = lax.cond(True, fa, fb)
        b = jlax.cond(True, fa, fb)
        assert a.dtype == b.dtype and a.weak_type == b.weak_type


# ----------------------------------------------------------------------------- vectorize

def test_vectorize_signature_and_broadcasting():
    mv = jnp.vectorize(lambda m, v: m @ v, signature="(n,k),(k)->(n)")
    m = np.arange(24, dtype=np.float32).reshape(4, 1, 2, 3)
    v = np.arange(15, dtype=np.float32).reshape(5, 3)
    out = mv(m, v)
    assert out.shape == (4, 5, 2)
    close(out, np.einsum("abnk,bk->abn", np.broadcast_to(m, (4, 5, 2, 3)), v))
    # scalar function over broadcast inputs, size-1 dims not materialized by vmap
    f = jnp.vectorize(lambda x, y: x * y + 1)
    a = np.ones((3, 1, 2), np.float32)
    b = np.arange(4, dtype=np.float32).reshape(4, 1)
    close(f(a, b), a * b + 1)
    assert f(a, b).shape == (3, 4, 2)
    # a scalar function with non-scalar output adds trailing dims
    s = jnp.vectorize(lambda x: jnp.stack([x, -x]))(np.ones((2, 1), np.float32))
    assert s.shape == (2, 1, 2)
    # several outputs
    q, r = jnp.vectorize(lambda x, y: (x + y, x - y), signature="(),()->(),()")(
        np.ones((2, 3), np.float32), np.arange(3, dtype=np.float32))
    close(q, 1 + np.arange(3) + np.zeros((2, 3)))
    close(r, 1 - np.arange(3) + np.zeros((2, 3)))
    # a traced body: vectorize over a cond
    g = jnp.vectorize(lambda x: lax.cond(x > 0, jnp.sqrt, jnp.negative, x))
    close(g(np.array([[4.0, -1.0], [9.0, 0.0]], np.float32)), [[2.0, 1.0], [3.0, -0.0]])


def test_vectorize_excluded_and_kwargs():
    f = jnp.vectorize(lambda x, p: x ** p, excluded={1})
    close(f(np.arange(3, dtype=np.float32), 2), np.arange(3) ** 2)
    g = jnp.vectorize(lambda x, *, axis: jnp.sum(x, axis=axis), excluded={"axis"},
                      signature="(n,m)->(m)")
    close(g(np.ones((4, 2, 3), np.float32), axis=0), 2 * np.ones((4, 3)))
    h = jnp.vectorize(lambda x, y: x if y is None else x + y)
    close(h(np.ones(3, np.float32), None), np.ones(3))
    assert jnp.vectorize(lambda x: x * 2)(3).shape == ()


def test_vectorize_errors():
    with pytest.raises(TypeError, match="can only exclude integer or string arguments"):
        jnp.vectorize(lambda x: x, excluded={1.0})
    with pytest.raises(ValueError, match="contains negative numbers"):
        jnp.vectorize(lambda x: x, excluded={-1})
    with pytest.raises(ValueError, match="not a valid gufunc signature"):
        jnp.vectorize(lambda x: x, signature="(n)->()x")(np.ones(3))
    with pytest.raises(ValueError, match=r"output shape \(3,\) does not match core dimensions"):
        jnp.vectorize(lambda x: x, signature="(n)->()")(np.ones((2, 3)))
    with pytest.raises(TypeError, match="wrong number of positional arguments: expected 2"):
        jnp.vectorize(lambda x: x, signature="(n),(n)->()")(np.ones((2, 3)))
    with pytest.raises(ValueError, match="inconsistent size for core dimension 'n': 4 vs 3"):
        jnp.vectorize(lambda x, y: x.sum() + y.sum(), signature="(n),(n)->()")(
            np.ones((2, 3)), np.ones(4))
    with pytest.raises(ValueError, match="does not have enough dimensions"):
        jnp.vectorize(lambda m: m, signature="(n,k)->(n,k)")(np.ones(3))
    with pytest.raises(TypeError, match="output must be a tuple"):
        jnp.vectorize(lambda x, y: x, signature="(),()->(),()")(np.ones(3), np.ones(3))
    with pytest.raises(TypeError, match="wrong number of output arguments: expected 2, got 3"):
        jnp.vectorize(lambda x, y: (x, y, x), signature="(),()->(),()")(np.ones(3), 1.0)


def test_vectorize_against_jax():
    jax = pytest.importorskip("jax")
    jjnp = jax.numpy
    cases = [
        (lambda x: x.sum(), "(n)->()", [np.arange(6.0).reshape(2, 3)]),
        (lambda a, b: a @ b, "(n,k),(k)->(n)",
         [np.arange(24.0).reshape(4, 1, 2, 3), np.arange(15.0).reshape(5, 3)]),
        (lambda x, y: x * y, None, [np.ones((3, 1, 2)), np.arange(4.0).reshape(4, 1)]),
        (lambda x, y: (x + y, x * y), "(),()->(),()", [np.ones((2, 3)), np.arange(3.0)]),
    ]
    for f, sig, args in cases:
        args = [np.asarray(a, np.float32) for a in args]
        a = jnp.vectorize(f, signature=sig)(*args)
        b = jjnp.vectorize(f, signature=sig)(*args)
        for u, w in zip(a if isinstance(a, tuple) else (a,), b if isinstance(b, tuple) else (b,)):
            assert u.shape == w.shape
            close(u, w)


def test_vectorize_under_transformations():
    f = jnp.vectorize(lambda x, y: jnp.sin(x) * y)
    x = np.linspace(-1, 1, 6).astype(np.float32).reshape(2, 3)
    y = np.float32(2.0)
    close(tinyjax.grad(lambda x: jnp.sum(f(x, y)))(x), 2 * np.cos(x))
    close(tinyjax.vmap(lambda x: f(x, y))(x), 2 * np.sin(x))
    j = tinyjax.make_jaxpr(lambda x: f(x, y))(x)
    assert j.jaxpr.outvars[0].aval.shape == (2, 3)


def test_piecewise_still_works():
    x = np.arange(5, dtype=np.float32)
    out = jnp.piecewise(x, [x < 2, x > 3], [lambda x: x * 2, lambda x: -x, 7.0])
    close(out, [0.0, 2.0, 7.0, 7.0, -4.0])
    jax = pytest.importorskip("jax")
    ref = jax.numpy.piecewise(x, [x < 2, x > 3], [lambda x: x * 2, lambda x: -x, 7.0])
    close(out, ref)
    g = tinyjax.grad(lambda x: jnp.sum(jnp.piecewise(x, [x < 2], [jnp.sin, jnp.cos])))(x)
    close(g, np.where(x < 2, np.cos(x), -np.sin(x)))
