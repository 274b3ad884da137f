"""A random-program fuzzer: hypothesis builds programs of 5-40 lax operations
(elementwise chains, broadcasts, reductions, reshapes, transposes, slices, gathers
with out-of-range indices, dynamic slices, pads, concatenations, cumulative sums,
dtype conversions) and checks that the compiled program equals eager evaluation.

Float results may differ by the compiler's rounding (transcendentals within a few
ULP, reassociated sums), so programs use well-conditioned float operations and
floats are compared with a tolerance; integer and bool results must be exact.
"""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tinyjax
import tinyjax.numpy as jnp
from tinyjax import lax

FLOAT = np.dtype(np.float32)
INTS = [np.dtype(t) for t in ("int32", "int8", "uint8", "uint32", "int16")]
DTYPES = [FLOAT] + INTS + [np.dtype(bool)]


def _shape(data, max_rank=3):
    rank = data.draw(st.integers(0, max_rank), label="rank")
    return tuple(data.draw(st.integers(1, 4)) for _ in range(rank))


def _value(rng, shape, dtype):
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if dtype.kind == "f":
        return rng.uniform(-3, 3, shape).astype(dtype)
    info = np.iinfo(dtype)
    lo, hi = max(info.min, -50), min(info.max, 50)
    return rng.integers(lo, hi + 1, shape, dtype=np.int64).astype(dtype)


class Program:
    """A straight-line program over a pool of values; `run` replays it."""

    def __init__(self, n_inputs):
        self.n_inputs = n_inputs
        self.steps = []   # (fn, operand indices)

    def run(self, *inputs):
        pool = list(inputs)
        for fn, idx in self.steps:
            pool.append(fn(*[pool[i] for i in idx]))
        return pool[self.n_inputs:][-3:]   # a few results (the last is the newest)


def _unary_ops(dt):
    ops = [("neg", lax.neg), ("abs", lax.abs)]
    if dt.kind == "f":
        ops += [("tanh", lax.tanh), ("sin", lax.sin), ("exp_tanh", lambda x: lax.exp(lax.tanh(x))),
                ("sqrt_abs", lambda x: lax.sqrt(lax.abs(x))), ("logistic", lax.logistic),
                ("square", lax.square)]
    elif dt == np.bool_:
        ops = [("not", lax.bitwise_not)]
    else:
        ops += [("not", lax.bitwise_not), ("popcnt", lax.population_count)]
    return ops


def _binary_ops(dt):
    if dt == np.bool_:
        return [("and", lax.bitwise_and), ("or", lax.bitwise_or), ("xor", lax.bitwise_xor)]
    ops = [("add", lax.add), ("sub", lax.sub), ("mul", lax.mul), ("max", lax.max),
           ("min", lax.min)]
    if dt.kind != "f":
        ops += [("div", lax.div), ("rem", lax.rem), ("and", lax.bitwise_and),
                ("shl", lax.shift_left)]
    else:
        ops += [("atan2", lax.atan2)]
    return ops


def build_program(data, rng):
    n_in = data.draw(st.integers(1, 3), label="n_inputs")
    shapes, dtypes_ = [], []
    base = _shape(data)
    for _ in range(n_in):
        shapes.append(base if data.draw(st.booleans()) else _shape(data))
        dtypes_.append(data.draw(st.sampled_from(DTYPES), label="dtype"))
    inputs = [_value(rng, s, d) for s, d in zip(shapes, dtypes_)]
    prog = Program(n_in)
    avals = [(tuple(s), np.dtype(d)) for s, d in zip(shapes, dtypes_)]
    n_steps = data.draw(st.integers(5, 40), label="n_steps")
    for _ in range(n_steps):
        i = data.draw(st.integers(0, len(avals) - 1), label="operand")
        shape, dt = avals[i]
        kind = data.draw(st.sampled_from(
            ["unary", "binary", "binary", "convert", "broadcast", "reduce", "reshape",
             "transpose", "slice", "gather", "dslice", "pad", "concat", "cumsum", "select",
             "compare"]), label="kind")
        step = None
        if kind == "unary":
            name, fn = data.draw(st.sampled_from(_unary_ops(dt)), label="unary")
            step = (fn, (i,), shape, dt if name != "popcnt" else dt)
        elif kind == "binary":
            same = [j for j, a in enumerate(avals) if a == (shape, dt)]
            j = data.draw(st.sampled_from(same), label="rhs")
            name, fn = data.draw(st.sampled_from(_binary_ops(dt)), label="binary")
            step = (fn, (i, j), shape, dt)
        elif kind == "compare" and dt.kind != "f":
            same = [j for j, a in enumerate(avals) if a == (shape, dt)]
            j = data.draw(st.sampled_from(same), label="rhs")
            fn = data.draw(st.sampled_from([lax.lt, lax.eq, lax.ge]), label="cmp")
            step = (fn, (i, j), shape, np.dtype(bool))
        elif kind == "select":
            preds = [j for j, a in enumerate(avals) if a == (shape, np.dtype(bool))]
            same = [j for j, a in enumerate(avals) if a == (shape, dt)]
            if preds:
                p = data.draw(st.sampled_from(preds))
                j = data.draw(st.sampled_from(same))
                step = (lambda c, a, b: lax.select(c, a, b), (p, i, j), shape, dt)
        elif kind == "convert":
            new = data.draw(st.sampled_from(DTYPES), label="to")
            if dt.kind == "f" and new.kind in "iu":
                # round first so truncation is far from a boundary
                step = (lambda x, new=new: lax.convert_element_type(lax.round(x), new),
                        (i,), shape, new)
            else:
                step = (lambda x, new=new: lax.convert_element_type(x, new), (i,), shape, new)
        elif kind == "broadcast" and len(shape) < 4:
            n = data.draw(st.integers(1, 3), label="new_dim")
            pos = data.draw(st.integers(0, len(shape)), label="pos")
            out = shape[:pos] + (n,) + shape[pos:]
            dims = tuple(d if d < pos else d + 1 for d in range(len(shape)))
            step = (lambda x, out=out, dims=dims: lax.broadcast_in_dim(x, out, dims),
                    (i,), out, dt)
        elif kind == "reduce" and shape:
            axes = tuple(sorted(set(data.draw(st.lists(st.integers(0, len(shape) - 1),
                                                       min_size=1, max_size=2)))))
            out = tuple(d for k, d in enumerate(shape) if k not in axes)
            if dt == np.bool_:
                fn = lambda x, axes=axes: lax.reduce_or(x, axes)
            else:
                which = data.draw(st.sampled_from(["sum", "max", "min"]), label="red")
                fn = {"sum": lambda x, axes=axes: lax.reduce_sum(x, axes),
                      "max": lambda x, axes=axes: lax.reduce_max(x, axes),
                      "min": lambda x, axes=axes: lax.reduce_min(x, axes)}[which]
            step = (fn, (i,), out, dt)
        elif kind == "reshape":
            size = int(np.prod(shape))
            options = [(size,), (1, size)] + ([(size // 2, 2)] if size % 2 == 0 else [])
            out = data.draw(st.sampled_from(options), label="newshape")
            step = (lambda x, out=out: lax.reshape(x, out), (i,), out, dt)
        elif kind == "transpose" and len(shape) >= 2:
            perm = tuple(data.draw(st.permutations(range(len(shape))), label="perm"))
            out = tuple(shape[p] for p in perm)
            step = (lambda x, perm=perm: lax.transpose(x, perm), (i,), out, dt)
        elif kind == "slice" and shape and shape[0] >= 2:
            start = data.draw(st.integers(0, shape[0] - 1))
            stop = data.draw(st.integers(start + 1, shape[0]))
            out = (len(range(start, stop, 1)),) + shape[1:]
            step = (lambda x, a=start, b=stop: lax.slice_in_dim(x, a, b, axis=0), (i,), out, dt)
        elif kind == "gather" and shape:
            n = data.draw(st.integers(1, 4))
            idx = np.asarray(data.draw(st.lists(st.integers(-10, 10), min_size=n, max_size=n)),
                             np.int32)
            mode = data.draw(st.sampled_from(["clip", "fill"]), label="mode")
            out = (n,) + shape[1:]
            step = (lambda x, idx=idx, mode=mode: jnp.take(x, idx, axis=0, mode=mode),
                    (i,), out, dt)
        elif kind == "dslice" and shape:
            start = data.draw(st.integers(-6, 6), label="start")
            size = data.draw(st.integers(1, shape[0]))
            out = (size,) + shape[1:]
            step = (lambda x, s=start, n=size: lax.dynamic_slice_in_dim(x, jnp.int32(s), n, 0),
                    (i,), out, dt)
        elif kind == "pad" and shape:
            lo, hi, interior = (data.draw(st.integers(-1, 2)), data.draw(st.integers(-1, 2)),
                                data.draw(st.integers(0, 1)))
            n = shape[0]
            new = lo + hi + n + max(n - 1, 0) * interior
            if new >= 1:
                cfg = [(lo, hi, interior)] + [(0, 0, 0)] * (len(shape) - 1)
                zero = np.zeros((), dt)
                step = (lambda x, cfg=cfg, zero=zero: lax.pad(x, jnp.asarray(zero), cfg),
                        (i,), (new,) + shape[1:], dt)
        elif kind == "concat" and shape:
            same = [j for j, a in enumerate(avals) if a[1] == dt and a[0][1:] == shape[1:]
                    and len(a[0]) == len(shape)]
            j = data.draw(st.sampled_from(same))
            out = (shape[0] + avals[j][0][0],) + shape[1:]
            step = (lambda a, b: lax.concatenate([a, b], 0), (i, j), out, dt)
        elif kind == "cumsum" and shape and dt != np.bool_:
            step = (lambda x: lax.cumsum(x, axis=0), (i,), shape, dt)
        if step is None:
            continue
        fn, idx, out_shape, out_dt = step
        prog.steps.append((fn, idx))
        avals.append((tuple(out_shape), np.dtype(out_dt)))
    return prog, inputs


def _compare(got, want):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype
    if want.dtype.kind == "f":
        scale = max(1.0, float(np.nanmax(np.abs(want[np.isfinite(want)]), initial=0.0)))
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * scale, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, want)


def _check_random_program(data):
    rng = np.random.default_rng(data.draw(st.integers(0, 2**31), label="seed"))
    prog, inputs = build_program(data, rng)
    with np.errstate(all="ignore"):
        want = prog.run(*[jnp.asarray(x) for x in inputs])
        got = tinyjax.jit(prog.run)(*[jnp.asarray(x) for x in inputs])
    assert len(got) == len(want)
    for g, w in zip(got, want):
        _compare(g, w)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_random_programs_jit_equals_eager(data):
    _check_random_program(data)


@pytest.mark.slow
@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_random_programs_heavy(data):
    _check_random_program(data)
