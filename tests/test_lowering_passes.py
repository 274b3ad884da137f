"""The compiler's stages, each inspected on its own: simplification (inline, CSE,
DCE, constant folding), fusion decisions, the memory plan, the kernel IR."""
import numpy as np

import tinyjax
import tinyjax.numpy as jnp
from tinyjax import jit, lax
from tinyjax.lowering import kir
from tinyjax.lowering.memory import plan_memory


def _stage(f, *args, stage="jaxpr"):
    return jit(f).lower(*args).compile().as_text(stage)


def test_cse_merges_equal_equations():
    text = _stage(lambda x: jnp.sin(x) + jnp.sin(x), jnp.ones(3))
    assert text.count("sin") == 1


def test_dce_drops_unused_work():
    def f(x):
        unused = jnp.exp(x) * 3.0  # noqa: F841
        return x + 1.0

    text = _stage(f, jnp.ones(3))
    assert "exp" not in text


def test_constant_folding():
    c = jnp.arange(4.0)

    def f(x):
        k = lax.mul(jnp.float32(2.0), jnp.float32(3.0))
        return x * k + jnp.sum(c)

    text = _stage(f, jnp.ones(4))
    assert "reduce_sum" not in text          # sum of a constant: folded
    assert "6.0" in text                     # 2 * 3 folded into a literal
    np.testing.assert_allclose(jit(f)(jnp.ones(4)), np.full(4, 12.0))


def test_nested_jit_inlined_before_fusion():
    inner = jit(lambda y: y * 2.0)
    text = _stage(lambda x: inner(inner(x)) + 1.0, jnp.ones(3))
    assert "jit[" not in text and text.count("mul") == 2


def test_reduction_fuses_with_its_producers():
    def softmax(x):
        m = jnp.max(x, axis=1, keepdims=True)
        e = jnp.exp(x - m)
        return e / jnp.sum(e, axis=1, keepdims=True)

    x = jnp.asarray(np.random.default_rng(0).standard_normal((4, 16)).astype(np.float32))
    listing = _stage(softmax, x, stage="kernels")
    # max | exp(x - m), stored once since two loops read it | its sum | the divide
    assert listing.count("kernel ") == 4
    assert "fusion: broadcast_in_dim, sub, exp" in listing
    listing2 = _stage(lambda x: jnp.sum(jnp.exp(x - 1.0) * 2.0, axis=1), x, stage="kernels")
    assert listing2.count("kernel ") == 1 and "sub, exp, mul, reduce_sum" in listing2
    want = np.exp(x - np.max(x, 1, keepdims=True))
    np.testing.assert_allclose(jit(softmax)(x), want / want.sum(1, keepdims=True), rtol=1e-5)


def test_expensive_value_used_twice_is_computed_once():
    def f(x):
        e = jnp.exp(x)
        return e * 2.0 + e * e

    listing = _stage(f, jnp.ones(8), stage="kernels")
    # all uses sit in the same loop: one kernel, computing exp once per element
    # (equal expressions are one hash-consed node; the listing prints it as a tree)
    assert listing.count("kernel ") == 1
    llvm = _stage(f, jnp.ones(8), stage="llvm")
    assert llvm.count("call float @\"tj.exp.f32\"") == 1


def test_broadcast_of_expensive_value_is_not_recomputed():
    def f(x, y):
        return jnp.exp(x)[:, None] * y

    listing = _stage(f, jnp.ones(8), jnp.ones((8, 32)), stage="kernels")
    assert listing.count("kernel ") == 2


def test_memory_plan_reuses_dead_buffers():
    def f(x):
        for _ in range(6):
            x = jnp.sum(jnp.exp(x), axis=0, keepdims=True) * jnp.exp(x)  # materializes
        return x

    cf = jit(f).lower(jnp.ones((16, 16))).compile()
    plan = cf._entry.compiled.executable.plan
    assert plan.arena_bytes < plan.naive_bytes
    x = np.ones((16, 16), np.float32)
    with tinyjax.disable_jit():
        want = f(jnp.asarray(x))
    np.testing.assert_allclose(cf(jnp.asarray(x)), want, rtol=1e-5)


def test_plan_memory_first_fit():
    class Info:
        def __init__(self, params, scratch=()):
            self.kernel = kir.Kernel("k", params, [])
            self.scratch = list(scratch)

    a, b, c = (kir.Buffer(n, np.float32, 16) for n in "abc")
    # a: kernels 0-1, b: 1-2, c: 2 -> c can reuse a's space
    plan = plan_memory([Info([a]), Info([a, b]), Info([b, c])])
    assert plan.offsets[c] == plan.offsets[a]
    assert plan.offsets[a] != plan.offsets[b]
    assert plan.arena_bytes == 128


def test_kernel_ir_is_hash_consed_and_printable():
    kir.reset_intern_table()
    i = kir.var("i")
    buf = kir.Buffer("x", np.float32, 8, "input")
    e1 = kir.op("add", kir.load(buf, i * 2 + 1), kir.const(1.0, np.float32))
    e2 = kir.op("add", kir.load(buf, i * 2 + 1), kir.const(1.0, np.float32))
    assert e1 is e2
    assert kir.const(0.0, np.float32) is not kir.const(-0.0, np.float32)
    assert (i + 0) is i and (i * 1) is i
    assert str(e1) == "add(%x[add(mul(i, 2), 1)], 1.0:f32)"


def test_scalar_reduction_is_not_recomputed_per_element():
    x = jnp.arange(1000.0)
    f = lambda v: v / jnp.sum(v)  # noqa: E731
    listing = _stage(f, x, stage="kernels")
    assert listing.count("kernel ") == 2   # the sum once, then the division loop
    np.testing.assert_allclose(jit(f)(x), np.arange(1000.0) / 499500.0, rtol=1e-6)
