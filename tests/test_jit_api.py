"""jit's API: decorator forms, the signature cache and its log, static and donated
arguments, ahead-of-time stages, disable_jit, errors, threads."""
import functools
import logging
import threading

import numpy as np
import pytest

import tinyjax
import tinyjax.numpy as jnp
from tinyjax import jit


def test_decorator_forms():
    @jit
    def f(x):
        return x * 2.0 + 1.0

    @functools.partial(jit, static_argnums=1)
    def g(x, n):
        return x * n

    @jit(static_argnames="n")
    def h(x, n=3):
        return x + n

    x = jnp.arange(4.0)
    np.testing.assert_array_equal(f(x), np.arange(4.0) * 2 + 1)
    np.testing.assert_array_equal(g(x, 3), np.arange(4.0) * 3)
    np.testing.assert_array_equal(h(x, n=5), np.arange(4.0) + 5)
    np.testing.assert_array_equal(h(x), np.arange(4.0) + 3)
    assert f.__name__ == "f"
    assert f.__wrapped__ is not None


def test_pytrees_in_and_out():
    @jit
    def f(d, t):
        return {"s": d["a"] + t[0], "p": (d["b"] * t[1],)}

    out = f({"a": jnp.ones(3), "b": jnp.full((3,), 2.0)}, (1.0, jnp.arange(3.0)))
    np.testing.assert_array_equal(out["s"], np.full(3, 2.0))
    np.testing.assert_array_equal(out["p"][0], np.arange(3.0) * 2)


def _count_compiles(fn, caplog, *calls):
    caplog.clear()
    with tinyjax.config.override("tinyjax_log_compiles", True):
        with caplog.at_level(logging.WARNING, logger="tinyjax"):
            for args in calls:
                fn(*args)
    return [r.getMessage() for r in caplog.records if "Compiling" in r.getMessage()]


def test_cache_same_signature_does_not_recompile(caplog):
    f = jit(lambda x: x * 3.0)
    msgs = _count_compiles(f, caplog, (jnp.ones(4),), (jnp.zeros(4),), (np.ones(4, np.float32),))
    assert len(msgs) == 1
    assert f._cache_size() == 1


def test_new_shape_recompiles_once_and_says_why(caplog):
    f = jit(lambda x: x * 3.0)
    msgs = _count_compiles(f, caplog, (jnp.ones(4),), (jnp.ones(5),), (jnp.ones(5),))
    assert len(msgs) == 2
    assert "shape" in msgs[1] and "f32[4]" in msgs[1] and "f32[5]" in msgs[1]


def test_new_dtype_and_weak_type_are_named(caplog):
    f = jit(lambda x: x + 1)
    msgs = _count_compiles(f, caplog, (jnp.ones(3),), (jnp.ones(3, jnp.int32),), (2.0,),
                           (jnp.float32(2.0),))
    assert len(msgs) == 4
    assert "dtype" in msgs[1]
    assert "weak type" in msgs[3]


def test_static_args_key_the_cache(caplog):
    f = jit(lambda x, n: x * n, static_argnums=1)
    msgs = _count_compiles(f, caplog, (jnp.ones(2), 2), (jnp.ones(2), 2), (jnp.ones(2), 3))
    assert len(msgs) == 2
    assert "static" in msgs[1]
    np.testing.assert_array_equal(f(jnp.ones(2), 4), [4.0, 4.0])


def test_static_arg_used_in_python_control_flow():
    @functools.partial(jit, static_argnums=(1,))
    def f(x, mode):
        if mode == "double":
            return x * 2
        return x

    np.testing.assert_array_equal(f(jnp.ones(2), "double"), [2.0, 2.0])
    np.testing.assert_array_equal(f(jnp.ones(2), "id"), [1.0, 1.0])


def test_unhashable_static_arg_is_a_clear_error():
    f = jit(lambda x, cfg: x * cfg[0], static_argnums=1)
    with pytest.raises(ValueError, match="Non-hashable static arguments.*list"):
        f(jnp.ones(2), [1, 2])


def test_env_var_turns_logging_on(monkeypatch):
    import subprocess
    import sys
    code = ("import tinyjax, tinyjax.numpy as jnp\n"
            "f = tinyjax.jit(lambda x: x + 1)\n"
            "f(jnp.ones(2)); f(jnp.ones(3))\n")
    env = dict(__import__("os").environ, TINYJAX_LOG_COMPILES="1")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stderr.count("Compiling") == 2
    assert "shape of flat argument 0 changed: f32[2] -> f32[3]" in r.stderr


def test_traced_value_in_python_if_names_the_fix():
    @jit
    def f(x):
        if x > 0:
            return x
        return -x

    with pytest.raises(tinyjax.errors.TracerBoolConversionError, match="static_argnums"):
        f(jnp.float32(1.0))


def test_disable_jit_runs_python():
    seen = []

    @jit
    def f(x):
        seen.append(type(x).__name__)
        return x + 1

    with tinyjax.disable_jit():
        f(jnp.ones(2))
        f(jnp.ones(2))
    assert seen == ["Array", "Array"]
    f(jnp.ones(2))
    assert seen[-1] != "Array"  # traced


def test_lower_compile_stages():
    def f(x, y):
        return jnp.exp(x) * 2.0 + y

    x = jnp.ones(64)
    lowered = jit(f).lower(x, x)
    assert "exp" in lowered.as_text() and "mul" in lowered.as_text()
    compiled = lowered.compile()
    listing = compiled.as_text("kernels")
    # the whole elementwise chain is one fused loop
    assert listing.count("kernel ") == 1
    assert "fusion: exp, mul, add" in listing
    assert "define void @\"tj_entry\"" in compiled.as_text("llvm")
    asm = compiled.as_text("asm")
    assert "ymm" in asm or "xmm" in asm
    np.testing.assert_allclose(compiled(x, x), np.exp(1.0) * 2 + 1, rtol=1e-6)


def test_compiled_rejects_other_structure():
    compiled = jit(lambda x: x + 1).lower(jnp.ones(2)).compile()
    with pytest.raises(TypeError, match="structure"):
        compiled((jnp.ones(2),))


def test_python_scalars_are_weak():
    f = jit(lambda x, s: x * s)
    out = f(jnp.ones(2, jnp.float16), 3.0)
    assert out.dtype == jnp.float16
    out = f(2, 3)
    assert out.dtype == jnp.int32 and out.weak_type


def test_outputs_that_are_inputs_or_constants():
    c = jnp.arange(3.0)
    f = jit(lambda x: (x, c, 2.0, x + c))
    x, cc, two, s = f(jnp.ones(3))
    np.testing.assert_array_equal(x, np.ones(3))
    np.testing.assert_array_equal(cc, np.arange(3.0))
    assert float(two) == 2.0
    np.testing.assert_array_equal(s, np.arange(3.0) + 1)


def test_closed_over_arrays_are_arguments_not_addresses():
    c = jnp.arange(4.0)
    f = jit(lambda x: x + c)
    text = f.lower(jnp.ones(4)).compile().as_text("llvm")
    import re
    assert not re.search(r"inttoptr \(i64 \d+", text)   # no constant address
    np.testing.assert_array_equal(f(jnp.ones(4)), np.arange(4.0) + 1)


def test_donation_reuses_buffer_and_deletes_input():
    f = jit(lambda x: x * 2.0, donate_argnums=0)
    x = jnp.arange(4.0)
    y = f(x)
    np.testing.assert_array_equal(y, np.arange(4.0) * 2)
    assert x.is_deleted()
    with pytest.raises(RuntimeError, match="deleted"):
        x + 1


def test_donation_that_cannot_be_used_says_why(caplog):
    f = jit(lambda x: x.sum(), donate_argnums=0)
    with caplog.at_level(logging.WARNING, logger="tinyjax"):
        f(jnp.arange(4.0))
    assert any("not reused" in r.getMessage() for r in caplog.records)


def test_eight_threads_at_once():
    f = jit(lambda x, y: jnp.exp(x) * y + 1.0)
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal(1000).astype(np.float32) for _ in range(8)]
    f(jnp.asarray(xs[0]), jnp.asarray(xs[0]))  # compile once
    results = [None] * 8
    errors = []
    barrier = threading.Barrier(8)

    def work(k):
        try:
            barrier.wait()
            for _ in range(20):
                results[k] = np.asarray(f(jnp.asarray(xs[k]), jnp.asarray(xs[k])))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for k in range(8):
        np.testing.assert_allclose(results[k], np.exp(xs[k]) * xs[k] + 1, rtol=2e-6, atol=1e-6)


def test_compiling_from_many_threads():
    outs = {}

    def work(k):
        f = jit(lambda x: x * k + 1.0)
        outs[k] = np.asarray(f(jnp.ones(3)))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k in range(8):
        np.testing.assert_array_equal(outs[k], np.full(3, k + 1.0))


def test_cache_is_bounded():
    from tinyjax.pjit import LRUCache
    c = LRUCache(3)
    for k in range(10):
        c.put(k, str(k))
    assert len(c) == 3 and c.get(9) == "9" and c.get(0) is None


def test_make_jaxpr_shows_jit_eqn():
    def inner(y):
        return y * 2.0

    text = str(tinyjax.make_jaxpr(lambda x: jit(inner)(x) + 1.0)(1.0))
    assert "jit[" in text and "name=inner" in text


def test_nested_jit_is_inlined():
    inner = jit(lambda y: jnp.exp(y) * 2.0)
    outer = jit(lambda x: inner(x) + 1.0)
    x = jnp.ones(8)
    listing = outer.lower(x).compile().as_text("kernels")
    assert listing.count("kernel ") == 1
    np.testing.assert_allclose(outer(x), np.exp(1.0) * 2 + 1, rtol=1e-6)


def test_method_decorator():
    class M:
        def __init__(self, k):
            self.k = k

        @functools.partial(jit, static_argnums=0)
        def f(self, x):
            return x * self.k

        def __hash__(self):
            return hash(self.k)

        def __eq__(self, o):
            return self.k == o.k

    np.testing.assert_array_equal(M(3).f(jnp.ones(2)), [3.0, 3.0])


def test_invalid_argument_type():
    with pytest.raises(TypeError, match="not a valid JAX type"):
        jit(lambda x: x)("a string")
    with pytest.raises(TypeError, match="callable"):
        jit(3)


def test_inline_traces_into_the_caller():
    inner = jit(lambda y: y * 2.0, inline=True)
    text = str(tinyjax.make_jaxpr(lambda x: inner(x) + 1.0)(1.0))
    assert "jit[" not in text and "mul" in text
    np.testing.assert_allclose(jit(lambda x: inner(x) + 1.0)(jnp.ones(2)), [3.0, 3.0])
