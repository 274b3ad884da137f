"""Core: the jaxpr IR and its printer (golden tests against JAX's format), the type
checker, the Array type, tracing errors and traceback filtering."""
import os
import pickle
import subprocess
import sys
import threading

import numpy as np
import pytest

import tinyjax
import tinyjax.numpy as jnp
from tinyjax import lax
from tinyjax.core import (
    ClosedJaxpr,
    Jaxpr,
    JaxprEqn,
    Literal,
    ShapedArray,
    Var,
    check_jaxpr,
)
from tinyjax.core.errors import (
    ConcretizationTypeError,
    JaxprTypeError,
    TracerArrayConversionError,
    TracerBoolConversionError,
    TracerIntegerConversionError,
    UnexpectedTracerError,
)

f32 = np.dtype("float32")
i32 = np.dtype("int32")


# ----------------------------------------------------------------------------- goldens
# Each expected string is what JAX 0.10.2 prints for the same program.
GOLDEN = [
    (lambda x: jnp.sin(x) * 2.0, (np.ones(3, np.float32),),
     "{ lambda ; a:f32[3]. let b:f32[3] = sin a; c:f32[3] = mul b 2.0:f32[] in (c,) }"),
    (lambda x: jnp.exp(x) > 2, (np.ones(3, np.float32),),
     "{ lambda ; a:f32[3]. let b:f32[3] = exp a; c:bool[3] = gt b 2.0:f32[] in (c,) }"),
    (lambda x: x * 2, (np.ones(3, np.int8),),
     "{ lambda ; a:i8[3]. let b:i8[3] = mul a 2:i8[] in (b,) }"),
    (lambda x: x + jnp.ones(()), (np.ones(3, np.float32),),
     "{ lambda ; a:f32[3]. let b:f32[3] = add a 1.0:f32[] in (b,) }"),
    (lambda x: jnp.exp(x) > jnp.sin(x) + jnp.cos(x), (np.ones(3, np.float32),),
     "{ lambda ; a:f32[3]. let\n"
     "    b:f32[3] = exp a\n"
     "    c:f32[3] = sin a\n"
     "    d:f32[3] = cos a\n"
     "    e:f32[3] = add c d\n"
     "    f:bool[3] = gt b e\n"
     "  in (f,) }"),
    (lambda x: (x, 1.0), (np.ones(2, np.float32),),
     "{ lambda ; a:f32[2]. let  in (a, 1.0:f32[]) }"),
]


@pytest.mark.parametrize("fun,args,expected", GOLDEN)
def test_jaxpr_golden(fun, args, expected):
    assert str(tinyjax.make_jaxpr(fun)(*args)) == expected


def test_jaxpr_golden_multiline_params():
    # what JAX 0.10.2 prints for jnp.dot(x, y) + 1 with x: f32[3,4], y: f32[4]
    expected = (
        "{ lambda ; a:f32[3,4] b:f32[4]. let\n"
        "    c:f32[3] = dot_general[\n"
        "      dimension_numbers=(([1], [0]), ([], []))\n"
        "      preferred_element_type=float32\n"
        "    ] a b\n"
        "    d:f32[3] = add c 1.0:f32[]\n"
        "  in (d,) }")
    got = tinyjax.make_jaxpr(lambda x, y: jnp.dot(x, y) + 1)(np.ones((3, 4), np.float32),
                                                           np.ones(4, np.float32))
    assert str(got) == expected


def test_jaxpr_golden_astype_sum_broadcast():
    expected = (
        "{ lambda ; a:f32[3,4]. let\n"
        "    b:i32[3,4] = convert_element_type[new_dtype=int32 weak_type=False] a\n"
        "    c:i32[4] = reduce_sum[axes=(0,)] b\n"
        "    d:i32[1,4] = broadcast_in_dim[broadcast_dimensions=(1,)] c\n"
        "  in (d,) }")
    got = tinyjax.make_jaxpr(lambda x: x.astype(jnp.int32).sum(0)[None])(
        np.ones((3, 4), np.float32))
    assert str(got) == expected


def test_jaxpr_golden_constvar():
    c = jnp.asarray(np.arange(3, dtype=np.float32))
    jaxpr = tinyjax.make_jaxpr(lambda x: x + c)(np.ones(3, np.float32))
    assert str(jaxpr) == "{ lambda a:f32[3]; b:f32[3]. let c:f32[3] = add b a in (c,) }"
    assert len(jaxpr.consts) == 1
    np.testing.assert_array_equal(np.asarray(jaxpr.consts[0]), [0, 1, 2])


def test_jaxpr_golden_params_and_broadcast():
    # `jnp.ones((2, 3)) * x` with x: f32[3] rank-promotes x with broadcast_in_dim
    jaxpr = tinyjax.make_jaxpr(lambda x: jnp.ones((2, 3)) * x)(np.ones(3, np.float32))
    text = str(jaxpr)
    assert "c:f32[1,3] = broadcast_in_dim[broadcast_dimensions=(1,)] a" in text
    assert text.endswith("  in (d,) }")
    assert [e.primitive.name for e in jaxpr.eqns] == ["broadcast_in_dim", "broadcast_in_dim",
                                                       "mul"]


def test_jaxpr_long_params_break_lines():
    eqn_params = {"dimension_numbers": (((1,), (0,)), ((), ())),
                  "preferred_element_type": f32, "precision": None}
    a, b = Var(ShapedArray((3, 4), f32)), Var(ShapedArray((4,), f32))
    out = Var(ShapedArray((3,), f32))
    prim = lax.dot_general_p if hasattr(lax, "dot_general_p") else tinyjax.core.Primitive("dg")
    jaxpr = Jaxpr([], [a, b], [out], [JaxprEqn(prim, [a, b], [out], eqn_params)])
    text = str(jaxpr)
    lines = text.split("\n")
    assert lines[0] == "{ lambda ; a:f32[3,4] b:f32[4]. let"
    assert lines[1].startswith("    c:f32[3] = ") and lines[1].endswith("[")
    assert lines[2].startswith("      dimension_numbers=")
    assert lines[-2] == "    ] a b"
    assert lines[-1] == "  in (c,) }"


def test_var_naming_past_z():
    def f(x):
        for _ in range(30):
            x = jnp.sin(x)
        return x
    text = str(tinyjax.make_jaxpr(f)(np.ones((), np.float32)))
    assert "ba:f32[] = sin z" in text and "be:f32[] = sin bd" in text


def test_weak_typed_args_and_literals():
    jaxpr = tinyjax.make_jaxpr(lambda x: x * 2)(1.0)
    assert jaxpr.in_avals[0] == ShapedArray((), f32, True)
    assert jaxpr.out_avals[0].weak_type
    jaxpr = tinyjax.make_jaxpr(lambda x: x * 2)(np.float32(1.0))
    assert not jaxpr.out_avals[0].weak_type


def test_make_jaxpr_pytrees_and_static():
    def f(d, n):
        return {"y": d["a"] * n, "z": [d["b"]]}
    jaxpr = tinyjax.make_jaxpr(f, static_argnums=1)({"a": np.ones(2), "b": np.ones(3)}, 3)
    assert [a.shape for a in jaxpr.in_avals] == [(2,), (3,)]
    assert [a.shape for a in jaxpr.out_avals] == [(2,), (3,)]
    assert "mul a 3.0:f32[]" in str(jaxpr)
    closed, shapes = tinyjax.make_jaxpr(f, static_argnums=1, return_shape=True)(
        {"a": np.ones(2), "b": np.ones(3)}, 3)
    assert shapes["y"].shape == (2,) and shapes["y"].dtype == f32


def test_make_jaxpr_bad_argument():
    with pytest.raises(TypeError, match="not a valid array type"):
        tinyjax.make_jaxpr(lambda s: s)("hello")


# ----------------------------------------------------------------------------- type checker

def _jaxpr_sin_mul():
    return tinyjax.make_jaxpr(lambda x: jnp.sin(x) * 2.0)(np.ones(3, np.float32))


def test_typecheck_accepts_traced_jaxprs():
    check_jaxpr(_jaxpr_sin_mul())
    check_jaxpr(tinyjax.make_jaxpr(lambda x, y: (x + y, x < y))(np.ones(3), np.ones(3)))


def test_typecheck_wrong_output_type():
    j = _jaxpr_sin_mul().jaxpr
    j.eqns[0].outvars[0].aval = ShapedArray((4,), f32)
    with pytest.raises(JaxprTypeError):
        check_jaxpr(j)


def test_typecheck_use_before_def_and_double_def():
    a = Var(ShapedArray((3,), f32))
    b = Var(ShapedArray((3,), f32))
    c = Var(ShapedArray((3,), f32))
    bad = Jaxpr([], [a], [c], [JaxprEqn(lax.add_p, [a, b], [c], {})])
    with pytest.raises(JaxprTypeError, match="used before it is defined"):
        check_jaxpr(bad)
    twice = Jaxpr([], [a], [a], [JaxprEqn(lax.sin_p, [a], [a], {})])
    with pytest.raises(JaxprTypeError, match="defined twice"):
        check_jaxpr(twice)


def test_typecheck_ill_typed_primitive_application():
    a = Var(ShapedArray((3,), f32))
    b = Var(ShapedArray((3,), i32))
    c = Var(ShapedArray((3,), f32))
    with pytest.raises(JaxprTypeError, match="same dtypes"):
        check_jaxpr(Jaxpr([], [a, b], [c], [JaxprEqn(lax.add_p, [a, b], [c], {})]))
    lit = Literal(2.0, ShapedArray((), f32))
    ok = Jaxpr([], [a], [c], [JaxprEqn(lax.mul_p, [a, lit], [c], {})])
    check_jaxpr(ok)
    with pytest.raises(JaxprTypeError, match="undefined|outvars|used before"):
        check_jaxpr(Jaxpr([], [a], [b], []))


def test_typecheck_closed_jaxpr_const_count():
    j = tinyjax.make_jaxpr(lambda x: x + jnp.asarray(np.arange(3.0)))(np.ones(3))
    check_jaxpr(j)
    with pytest.raises(JaxprTypeError, match="consts"):
        check_jaxpr(ClosedJaxpr(j.jaxpr, []))


# ----------------------------------------------------------------------------- Array

def test_array_basics():
    x = jnp.asarray(np.arange(6, dtype=np.float32).reshape(2, 3))
    assert x.shape == (2, 3) and x.dtype == f32 and x.ndim == 2 and x.size == 6
    assert repr(x) == ("Array([[0., 1., 2.],\n       [3., 4., 5.]], dtype=float32)")
    assert repr(jnp.array(2.0)) == "Array(2., dtype=float32, weak_type=True)"
    assert repr(jnp.zeros((0, 3))) == "Array([], shape=(0, 3), dtype=float32)"
    assert x.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert jnp.asarray(3.5).item() == 3.5
    assert len(x) == 2
    rows = list(x)
    assert len(rows) == 2 and rows[1].tolist() == [3, 4, 5]
    assert float(jnp.asarray(2.5)) == 2.5 and int(jnp.asarray(7)) == 7
    assert bool(jnp.asarray(True))
    assert x.T.shape == (3, 2)
    assert x.astype(jnp.int32).dtype == i32


def test_array_zero_copy_and_immutable():
    x = jnp.asarray(np.arange(4.0))
    v = np.asarray(x)
    assert v.ctypes.data == x.unsafe_buffer_pointer()
    assert not v.flags.writeable
    with pytest.raises(TypeError, match=r"\.at\[idx\]\.set"):
        x[0] = 1.0
    with pytest.raises(TypeError, match="unhashable"):
        hash(x)


def test_array_pickle_and_devices():
    x = jnp.asarray(np.arange(3, dtype=np.int32))
    y = pickle.loads(pickle.dumps(x))
    assert y.dtype == x.dtype and y.tolist() == x.tolist()
    assert tinyjax.devices() == [x.device]
    assert tinyjax.device_put(np.ones(2)).dtype == f32
    assert tinyjax.block_until_ready({"a": x})["a"] is x
    with pytest.raises(RuntimeError, match="Unknown backend"):
        tinyjax.devices("gpu")


def test_operators_cover_python_protocol():
    x = jnp.asarray(np.array([1, 2, 3], np.int32))
    np.testing.assert_array_equal(np.asarray(2 - x), [1, 0, -1])
    np.testing.assert_array_equal(np.asarray(x // 2), [0, 1, 1])
    np.testing.assert_array_equal(np.asarray(-x % 3), [2, 1, 0])
    np.testing.assert_array_equal(np.asarray(x ** 2), [1, 4, 9])
    np.testing.assert_array_equal(np.asarray(2 ** x), [2, 4, 8])
    np.testing.assert_array_equal(np.asarray(x << 1), [2, 4, 6])
    np.testing.assert_array_equal(np.asarray(~x), [-2, -3, -4])
    np.testing.assert_array_equal(np.asarray(abs(-x)), [1, 2, 3])
    np.testing.assert_array_equal(np.asarray(x == 2), [False, True, False])
    assert (x / 2).dtype == f32
    assert (x * 2.0).dtype == f32 and (x * 2).dtype == i32
    np.testing.assert_array_equal(np.asarray(np.float32(2.0) * x), [2, 4, 6])


# ----------------------------------------------------------------------------- errors

def test_tracer_bool_conversion_error():
    def f(x):
        if x[0] > 0:
            return x
        return -x
    with pytest.raises(TracerBoolConversionError) as e:
        tinyjax.make_jaxpr(f)(np.ones(3))
    msg = str(e.value)
    assert "lax.cond" in msg and "static_argnums" in msg and "test_core.py" in msg
    assert isinstance(e.value, ConcretizationTypeError)


def test_tracer_integer_and_array_conversion_errors():
    with pytest.raises(TracerIntegerConversionError, match="static_argnums"):
        tinyjax.make_jaxpr(lambda x: range(x))(3)
    with pytest.raises(TracerArrayConversionError, match="jnp"):
        tinyjax.make_jaxpr(lambda x: np.sin(np.asarray(x)))(np.ones(2))


def test_unexpected_tracer_error():
    leaked = []

    def f(x):
        leaked.append(x)
        return x
    tinyjax.make_jaxpr(f)(np.ones(2))
    with pytest.raises(UnexpectedTracerError, match="leaked|after that transformation"):
        jnp.sin(leaked[0])


def test_shape_error_names_shapes_and_user_line():
    def model(x, b):
        return x + b  # the user's line
    with pytest.raises(TypeError) as e:
        model(jnp.ones(3), jnp.ones(4))
    msg = str(e.value)
    assert "(3,)" in msg and "(4,)" in msg and "add" in msg
    assert "test_core.py" in msg and "return x + b" in msg
    with pytest.raises(TypeError) as e:
        tinyjax.make_jaxpr(model)(np.ones(3), np.ones(4))
    assert "return x + b" in str(e.value)


def test_lax_dtype_error_suggests_jnp():
    with pytest.raises(TypeError, match="same dtypes.*jnp.add"):
        lax.add(jnp.ones(3), jnp.ones(3, jnp.int32))


def test_traceback_filtering_hides_internal_frames():
    code = (
        "import tinyjax.numpy as jnp, traceback\n"
        "try:\n"
        "    jnp.sin(jnp.ones(3)) + jnp.ones(4)\n"
        "except TypeError as e:\n"
        "    frames = traceback.extract_tb(e.__traceback__)\n"
        "    print(sum('tinyjax' in f.filename for f in frames), len(frames))\n"
    )
    env = dict(os.environ)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    internal, total = map(int, out.stdout.split())
    assert internal <= 1 < total + 1
    env["TINYJAX_TRACEBACK_FILTERING"] = "off"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    internal_off, _ = map(int, out.stdout.split())
    assert internal_off > internal


def test_missing_rule_error():
    p = tinyjax.core.Primitive("mystery")
    with pytest.raises(NotImplementedError, match="'mystery'"):
        p.bind(jnp.ones(2))


def test_trace_state_is_per_thread():
    results = []

    def work():
        results.append(float(jnp.sum(jnp.ones(4) * 2.0)))

    def trace_in_main(x):
        t = threading.Thread(target=work)
        t.start()
        t.join()
        return x * 2
    tinyjax.make_jaxpr(trace_in_main)(np.ones(2))
    assert results == [8.0]
