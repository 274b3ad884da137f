"""jit lowering of the shape primitives (broadcast_in_dim concatenate iota pad reshape
rev squeeze transpose) and the indexing primitives (slice dynamic_slice
dynamic_update_slice gather scatter*): compiled results equal eager ones exactly
(every dtype, 0-d and empty shapes, every gather/scatter form and mode, extreme
indices), and the generated kernels never touch memory outside a buffer, checked
by running the kernel IR in a bounds-checking interpreter."""
import warnings

import numpy as np
import pytest

import tinyjax as tj
from tinyjax import lax
from tinyjax.core.config import enable_x64
from tinyjax.lax import indexing as ix
from tinyjax.lax._base import asarray
from tinyjax.lowering import kir
from tinyjax.lowering.fusion import Assembler, plan_fusion
from tinyjax.lowering.passes import simplify

GSM = ix.GatherScatterMode
GDN = lax.GatherDimensionNumbers
SDN = lax.ScatterDimensionNumbers

DT32 = [np.bool_, np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32,
        np.float16, np.float32]
DT64 = [np.int64, np.uint64, np.float64]
IDX32 = [np.int8, np.uint8, np.int16, np.int32, np.uint32]
IDX64 = [np.int64, np.uint64]


# ----------------------------------------------------------------------------- helpers

def data(shape, dtype, seed=0):
    """Values of `dtype` covering its range (floats: with NaN, inf, -0.0)."""
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        lo, hi = max(int(info.min), -1000), min(int(info.max), 1000)
        v = rng.integers(lo, hi, size=shape, endpoint=True).astype(dtype)
        flat = v.reshape(-1)
        if flat.size > 3:
            flat[0], flat[1] = info.min, info.max
        return v
    v = (rng.standard_normal(shape) * 10).astype(dtype)
    flat = v.reshape(-1)
    specials = [np.nan, -0.0, np.inf, -np.inf, 0.0]
    for k, s in enumerate(specials[: flat.size // 3]):
        flat[(k * 7 + 1) % flat.size] = s
    return v


def _as_np(v):
    return np.asarray(v)


def assert_same(got, want):
    got, want = _as_np(got), _as_np(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    np.testing.assert_array_equal(got, want)
    if want.dtype.kind == "f":  # signed zeros too
        ok = ~np.isnan(want)
        np.testing.assert_array_equal(np.signbit(got[ok]), np.signbit(want[ok]))


def check(f, *args, bounds=True):
    """jit(f)(*args) equals f(*args) exactly; and, unless `bounds` is False, every
    load and store of the compiled kernels stays inside its buffer."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = f(*args)
    got = tj.jit(f)(*args)
    if isinstance(want, (tuple, list)):
        for g, w in zip(got, want):
            assert_same(g, w)
    else:
        assert_same(got, want)
    if bounds:
        run_checked(f, *args)
    return got


# ----------------------------------------------------------------------------- kernel-IR interpreter with bounds checks
#
# A vectorized evaluation of the kernels of a jitted function over their whole
# iteration space: each loop is an axis of a fixed-rank grid; `If` narrows a mask.
# Every load and store is checked against its buffer's size where it executes
# (loads on both sides of a `select` always execute). Stores are applied at once,
# so values are not exact for read-after-write kernels (scatter): only the indices
# are checked here, and the indices in these tests come from inputs.

_RANK = 16


class OutOfBounds(AssertionError):
    pass


def _int_div(a, b):
    a, b = np.broadcast_arrays(a, b)
    safe = np.where(b == 0, 1, b)
    q = np.trunc(a / safe) if a.dtype.kind == "f" else np.sign(a) * np.sign(safe) * (
        np.abs(a) // np.abs(safe))
    return np.where(b == 0, -1, q).astype(a.dtype)


def _int_rem(a, b):
    a, b = np.broadcast_arrays(a, b)
    safe = np.where(b == 0, 1, b)
    r = np.fmod(a, safe)
    return np.where(b == 0, a, r).astype(a.dtype)


_NP_OPS = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply,
    "max": np.maximum, "min": np.minimum,
    "eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
    "gt": np.greater, "ge": np.greater_equal,
    "and": np.bitwise_and, "or": np.bitwise_or, "xor": np.bitwise_xor,
    "neg": np.negative, "not": np.invert, "isnan": np.isnan, "abs": np.abs,
    "exp": np.exp,
}


class _Interp:
    def __init__(self, values):
        self.values = values       # Buffer -> flat ndarray
        self.env = {}
        self.depth = 0

    def grid_var(self, start, stop):
        shape = [1] * _RANK
        shape[self.depth] = stop - start
        return np.arange(start, stop, dtype=np.int64).reshape(shape)

    def run(self, stmts, mask):
        for s in stmts:
            if isinstance(s, kir.For):
                start, stop = int(s.start.value), int(s.stop.value)
                if stop <= start:
                    continue
                assert self.depth < _RANK
                self.env[s.var.attr] = self.grid_var(start, stop)
                self.depth += 1
                self.run(s.body, mask)
                self.depth -= 1
                del self.env[s.var.attr]
            elif isinstance(s, kir.Store):
                memo = {}
                idx = self.expr(s.index, mask, memo)
                val = self.expr(s.value, mask, memo)
                idx, val, m = np.broadcast_arrays(idx, val, mask)
                self._check(s.buf, idx[m], "store")
                self.values[s.buf][idx[m]] = val[m]
            elif isinstance(s, kir.If):
                c = self.expr(s.cond, mask, {})
                self.run(s.then, mask & c)
                self.run(s.orelse, mask & ~c)
            else:
                raise NotImplementedError(type(s).__name__)

    def _check(self, buf, idx, what):
        if idx.size and (idx.min() < 0 or idx.max() >= buf.size):
            raise OutOfBounds(f"{what} {buf!r} at indices in [{idx.min()}, {idx.max()}]")

    def expr(self, e, mask, memo):
        r = memo.get(id(e))
        if r is not None:
            return r
        with np.errstate(all="ignore"):
            r = self._expr(e, mask, memo)
        memo[id(e)] = r
        return r

    def _expr(self, e, mask, memo):
        k = e.kind
        if k == "const":
            return np.asarray(e.value, e.dtype).reshape((1,) * _RANK)
        if k == "var":
            return self.env[e.attr]
        sub = [self.expr(a, mask, memo) for a in e.args]
        if k == "load":
            buf = e.attr
            idx, m = np.broadcast_arrays(sub[0], mask)
            self._check(buf, idx[m], "load")
            vals = self.values[buf]
            if vals.size == 0:
                return np.zeros(idx.shape, buf.dtype)
            return vals[np.clip(idx, 0, vals.size - 1)]
        if k == "select":
            return np.where(sub[0], sub[1], sub[2]).astype(e.dtype)
        if k in ("cast", "bitcast"):
            return sub[0].astype(e.dtype) if k == "cast" else sub[0].view(e.dtype)
        if k == "op":
            name = e.attr
            if name == "div":
                return _int_div(*sub) if e.dtype.kind in "iu" else np.divide(*sub)
            if name == "rem":
                return _int_rem(*sub)
            if name in ("and", "or", "xor", "not") and e.dtype == np.bool_:
                name = {"and": "logical_and", "or": "logical_or", "xor": "logical_xor",
                        "not": "logical_not"}[name]
                return getattr(np, name)(*sub)
            return np.asarray(_NP_OPS[name](*sub)).astype(e.dtype)
        raise NotImplementedError(k)


def run_checked(f, *args):
    """Build the kernels of jit(f) for `args` and run them in the interpreter."""
    closed = tj.make_jaxpr(f)(*args)
    kir.reset_intern_table()
    jaxpr, consts = simplify(closed.jaxpr, list(closed.consts))
    inline = plan_fusion(jaxpr)
    buffers, values = {}, {}

    def buf(v, name, role, value=None):
        b = kir.Buffer(name, v.aval.dtype, int(np.prod(v.aval.shape)), role)
        buffers[v] = b
        values[b] = (np.array(value, v.aval.dtype).reshape(-1) if value is not None
                     else np.zeros(b.size, v.aval.dtype))

    flat_args = tj.tree_util.tree_leaves(args)
    for i, (v, a) in enumerate(zip(jaxpr.invars, flat_args)):
        buf(v, f"in{i}", "input", _as_np(a))
    for i, (v, c) in enumerate(zip(jaxpr.constvars, consts)):
        buf(v, f"const{i}", "const", _as_np(c))
    for k, e in enumerate(jaxpr.eqns):
        for j, v in enumerate(e.outvars):
            if v not in buffers and v not in inline:
                buf(v, f"t{k}_{j}", "temp")
    infos = Assembler(jaxpr, buffers, inline, []).kernels()
    interp = _Interp(values)
    for info in infos:
        for b in info.scratch:
            values[b] = np.zeros(b.size, b.dtype)
        interp.run(info.kernel.body, np.ones((1,) * _RANK, bool))
    kir.reset_intern_table()


def test_bounds_checker_catches_an_unclamped_dynamic_slice():
    from tinyjax.lowering import rules

    saved = rules.lowering_rules[ix.dynamic_slice_p]
    def bad(ctx, idx, x, *starts):   # no clamping: must be caught
        return x(tuple(kir.cast(s(()), kir.INDEX) + i for s, i in zip(starts, idx)))
    rules.lowering_rules[ix.dynamic_slice_p] = rules.LoweringRule("expr", bad)
    try:
        with pytest.raises(OutOfBounds):
            run_checked(lambda x, i: ix.dynamic_slice_p.bind(x, i, slice_sizes=(2,)),
                        np.arange(5.0, dtype=np.float32), np.int32(4))
    finally:
        rules.lowering_rules[ix.dynamic_slice_p] = saved


# ----------------------------------------------------------------------------- shape primitives

def _shape_fns(pv):
    """Shape-primitive programs on an operand of shape (2, 3, 4)."""
    return {
        "reshape": lambda x: lax.reshape(x, (4, 6)),
        "reshape_dims": lambda x: lax.reshape(x, (6, 4), dimensions=(2, 0, 1)),
        "reshape_ones": lambda x: lax.reshape(x, (1, 2, 1, 12, 1)),
        "transpose": lambda x: lax.transpose(x, (2, 0, 1)),
        "rev": lambda x: lax.rev(x, (0, 2)),
        "slice": lambda x: lax.slice(x, (0, 1, 1), (2, 3, 4), (1, 2, 2)),
        "pad": lambda x: lax.pad(x, pv, ((1, -1, 1), (-2, 2, 0), (0, 3, 2))),
        "concat": lambda x: lax.concatenate([x, lax.rev(x, (1,)), x[:, :1]], 1),
        "squeeze": lambda x: lax.squeeze(lax.slice(x, (1, 0, 2), (2, 3, 3)), (0, 2)),
        "broadcast": lambda x: lax.broadcast_in_dim(x[:, :1, :], (3, 2, 5, 4), (1, 2, 3)),
        "chain": lambda x: lax.transpose(lax.rev(lax.reshape(x, (3, 8)), (1,)), (1, 0)),
    }


@pytest.mark.parametrize("dtype", DT32, ids=lambda d: np.dtype(d).name)
def test_shape_primitives_every_dtype(dtype):
    x = data((2, 3, 4), dtype)
    pv = data((), dtype, seed=1)
    fns = list(_shape_fns(pv).values())
    check(lambda x: tuple(f(x) for f in fns), x)
    # the padding value as a traced argument
    check(lambda x, p: lax.pad(x, p, ((0, 1, 1), (1, 0, 0), (-1, -1, 0))), x, pv)


@pytest.mark.parametrize("dtype", DT64, ids=lambda d: np.dtype(d).name)
def test_shape_primitives_x64(dtype):
    with enable_x64():
        x = data((2, 3, 4), dtype)
        pv = data((), dtype, seed=1)
        fns = list(_shape_fns(pv).values())
        check(lambda x: tuple(f(x) for f in fns), x)


@pytest.mark.parametrize("in_shape,new,dims", [
    ((), (1, 1), None), ((1, 1), (), None), ((6,), (2, 3), None), ((2, 3, 4), (4, 6), None),
    ((6, 4), (2, 12), None), ((1, 6, 1), (3, 2), None), ((2, 1, 3), (3, 1, 2), None),
    ((5, 1, 1, 7), (35,), None), ((35,), (1, 5, 7, 1), None), ((4, 6), (3, 8), None),
    ((0, 3), (3, 0), None), ((2, 0), (0,), None), ((2, 3), (3, 2), (1, 0)),
    ((2, 3, 4), (12, 2), (1, 2, 0)), ((1, 4, 1), (2, 2), (2, 1, 0)),
])
def test_reshape(in_shape, new, dims):
    x = data(in_shape, np.float32)
    check(lambda x: lax.reshape(x, new, dimensions=dims), x)


@pytest.mark.parametrize("config,shape", [
    (((0, 0, 0),), (5,)), (((2, 3, 0),), (5,)), (((-2, -1, 0),), (5,)),
    (((-2, 1, 2),), (5,)), (((3, -4, 1),), (5,)), (((-5, 0, 0),), (5,)),
    (((-7, 3, 1),), (5,)), (((2, 2, 3),), (1,)), (((1, 1, 1),), (0,)),
    (((0, 0, 4),), (0,)), (((-1, -1, 0), (2, -3, 1)), (2, 4)),
    (((1, 0, 0), (0, 0, 0)), (0, 3)), (((0, 0, 0), (0, 0, 0)), (2, 3)), ((), ()),
])
def test_pad(config, shape):
    x = data(shape, np.float32)
    check(lambda x, p: lax.pad(x, p, config), x, np.float32(-7.5))
    check(lambda x: lax.pad(x, np.float32(3.0), config), x)


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.float16, np.float32])
def test_concatenate(dtype):
    a, b, c = data((2, 3), dtype), data((2, 1), dtype, 1), data((2, 4), dtype, 2)
    e = data((2, 0), dtype)
    check(lambda a, b, c: lax.concatenate([a, b, c], 1), a, b, c)
    check(lambda a, e, c: lax.concatenate([e, a, e, c, e], 1), a, e, c)
    check(lambda a, e: lax.concatenate([e, a], 1), a, e)
    check(lambda a: lax.concatenate([a, a, a], 0), a)
    check(lambda e: lax.concatenate([e, e], 1), e)
    check(lambda e: lax.concatenate([e, e], 0), e)
    # fused producers on each side
    if np.dtype(dtype).kind == "f":
        check(lambda a, c: lax.concatenate([a * a, c + a[:, :1]], 1) * 2, a, c)


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int16, np.uint16, np.int32,
                                   np.uint32, np.float16, np.float32])
def test_iota(dtype):
    for shape, dim in [((7,), 0), ((3, 5), 1), ((3, 5), 0), ((2, 3, 4), 1), ((0, 4), 1),
                       ((4, 0), 0), ((300,), 0)]:
        check(lambda: lax.broadcasted_iota(dtype, shape, dim))
    check(lambda x: x + lax.broadcasted_iota(dtype, (3, 4), 1), data((3, 4), dtype))


def test_iota_large_wraps_and_rounds():
    check(lambda: lax.iota(np.float16, 70000), bounds=False)   # 65520.. round to inf
    check(lambda: lax.iota(np.uint8, 600), bounds=False)
    check(lambda: lax.iota(np.int16, 70000), bounds=False)
    with enable_x64():
        for dt in DT64:
            check(lambda: lax.broadcasted_iota(dt, (3, 5), 1))


@pytest.mark.parametrize("shape,dims", [((), ()), ((1,), (0,)), ((1, 1), (0, 1)),
                                        ((3, 1, 2), (1,)), ((1, 0, 1), (0, 2))])
def test_squeeze(shape, dims):
    check(lambda x: lax.squeeze(x, dims), data(shape, np.int32))


@pytest.mark.parametrize("shape,perm", [((), ()), ((3,), (0,)), ((2, 3), (1, 0)),
                                        ((2, 3, 4), (1, 2, 0)), ((0, 3), (1, 0)),
                                        ((1, 2, 1, 3), (3, 2, 0, 1))])
def test_transpose(shape, perm):
    check(lambda x: lax.transpose(x, perm), data(shape, np.uint8))
    check(lambda x: lax.transpose(x * 2, perm) + 1, data(shape, np.float32))


@pytest.mark.parametrize("shape,dims", [((), ()), ((4,), (0,)), ((1, 3), (0, 1)),
                                        ((2, 3, 4), (1,)), ((0, 3), (0, 1)), ((3,), ())])
def test_rev(shape, dims):
    check(lambda x: lax.rev(x, dims), data(shape, np.int16))


def test_broadcast_in_dim():
    check(lambda x: lax.broadcast_in_dim(x, (2, 3), ()), np.float32(2.5))
    check(lambda x: lax.broadcast_in_dim(x, (3, 2), (1, 0)), data((2, 3), np.int8))
    check(lambda x: lax.broadcast_in_dim(x, (4, 0), (0,)), data((4,), np.float32))
    check(lambda x: lax.broadcast_in_dim(x, (0, 3), (0, 1)), data((0, 1), np.float32))
    check(lambda x: lax.broadcast_in_dim(x * 3, (2, 3, 4), (0, 2)), data((2, 1), np.float32))


# ----------------------------------------------------------------------------- slice

@pytest.mark.parametrize("shape,start,limit,strides", [
    ((), (), (), None), ((7,), (0,), (7,), None), ((7,), (1,), (7,), (3,)),
    ((7,), (6,), (7,), (5,)), ((7,), (3,), (3,), (2,)), ((0,), (0,), (0,), None),
    ((5, 6), (1, 0), (5, 6), (2, 4)), ((5, 6), (4, 5), (5, 6), (1, 1)),
    ((2, 3, 4), (0, 1, 0), (2, 3, 4), (2, 1, 3)),
])
def test_slice(shape, start, limit, strides):
    for dt in (np.bool_, np.float32):
        check(lambda x: lax.slice(x, start, limit, strides), data(shape, dt))


# ----------------------------------------------------------------------------- dynamic_slice / dynamic_update_slice

def _extreme(dtype):
    """Index values of `dtype`: small, negative, boundary and huge."""
    info = np.iinfo(dtype)
    vals = [0, 1, 2, 3, 5, -1, -3, 100, info.max, info.min, info.max // 2 + 1]
    return [np.array(v, dtype) for v in sorted({int(np.array(v).astype(dtype))
                                                for v in vals if info.min <= v <= info.max})]


def _ds(x, *starts, sizes):
    return ix.dynamic_slice_p.bind(asarray(x), *map(asarray, starts), slice_sizes=sizes)


def _dus(x, u, *starts):
    return ix.dynamic_update_slice_p.bind(asarray(x), asarray(u), *map(asarray, starts))


@pytest.mark.parametrize("idt", IDX32, ids=lambda d: np.dtype(d).name)
def test_dynamic_slice_extreme_indices(idt):
    x = data((4, 5), np.float32)
    vals = _extreme(idt)
    jit_ds = tj.jit(lambda x, i, j: _ds(x, i, j, sizes=(2, 3)))
    for i in vals:
        for j in vals[::2]:
            assert_same(jit_ds(x, i, j), _ds(x, i, j, sizes=(2, 3)))
    run_checked(lambda x, i, j: _ds(x, i, j, sizes=(2, 3)), x, vals[-1], vals[0])
    run_checked(lambda x, i, j: _ds(x, i, j, sizes=(2, 3)), x, vals[0], vals[-1])


def test_dynamic_slice_x64_indices():
    with enable_x64():
        x = data((4, 5), np.float64)
        for idt in IDX64:
            vals = _extreme(idt)
            g = tj.jit(lambda x, i, j: _ds(x, i, j, sizes=(1, 5)))
            for i in vals:
                for j in vals:
                    assert_same(g(x, i, j), _ds(x, i, j, sizes=(1, 5)))
            for i in (vals[0], vals[-1]):
                run_checked(lambda x, i, j: _ds(x, i, j, sizes=(3, 2)), x, i, i)


def test_dynamic_slice_shapes():
    i = np.int32(2)
    check(lambda x: _ds(x, sizes=()), np.float32(3.0))                     # 0-d
    check(lambda x, i: _ds(x, i, sizes=(0,)), data((4,), np.float32), i)   # empty
    check(lambda x, i: _ds(x, i, sizes=(4,)), data((4,), np.int8), i)      # whole
    check(lambda x, i: _ds(x, i, i, sizes=(0, 2)), data((0, 3), np.float32), i)
    check(lambda x: _ds(x, np.int32(7), np.int32(-2), sizes=(2, 2)), data((3, 3), np.uint8))
    check(lambda x, i: _ds(x * 2, i, np.int32(1), sizes=(2, 2)) + 1,
          data((5, 5), np.float32), np.int32(9))


@pytest.mark.parametrize("idt", IDX32, ids=lambda d: np.dtype(d).name)
def test_dynamic_update_slice_extreme_indices(idt):
    x = data((4, 5), np.float32)
    u = data((2, 3), np.float32, 3)
    vals = _extreme(idt)
    g = tj.jit(_dus)
    for i in vals:
        for j in vals[::2]:
            assert_same(g(x, u, i, j), _dus(x, u, i, j))
    run_checked(_dus, x, u, vals[-1], vals[0])
    run_checked(_dus, x, u, vals[0], vals[-1])


def test_dynamic_update_slice_x64_and_shapes():
    with enable_x64():
        x, u = data((5, 3), np.int64), data((2, 3), np.int64, 1)
        for idt in IDX64:
            for i in _extreme(idt):
                check(_dus, x, u, i, np.array(1, idt))
    i = np.int32(1)
    check(lambda x, u: _dus(x, u), np.float32(1.0), np.float32(2.0))          # 0-d
    check(_dus, data((4,), np.bool_), data((0,), np.bool_), i)              # empty update
    check(_dus, data((0, 3), np.float32), data((0, 2), np.float32), i, i)    # empty operand
    check(_dus, data((4,), np.uint8), data((4,), np.uint8), np.int32(3))     # whole
    check(lambda x, u: _dus(x, u * 2, np.int32(-4), np.int32(2)) + 1,
          data((3, 4), np.float32), data((1, 2), np.float32))
    check(lambda x, u, i: _dus(x, u, i, np.int32(0), i),
          data((3, 4, 2), np.float16), data((2, 4, 1), np.float16), np.int32(5))


# ----------------------------------------------------------------------------- gather

# (operand shape, indices shape, dimension numbers, slice sizes)
GATHERS = {
    "rows": ((5, 3), (4, 1), GDN((1,), (0,), (0,)), (1, 3)),
    "points": ((4, 5), (2, 3, 2), GDN((), (0, 1), (0, 1)), (1, 1)),
    "windows_permuted": ((6, 7), (3, 2), GDN((1, 2), (), (1, 0)), (2, 3)),
    "offset_first": ((5, 4), (3, 1), GDN((0,), (0,), (0,)), (1, 4)),
    "offset_middle": ((5, 4, 3), (2, 3, 1), GDN((1, 3), (1,), (1,)), (5, 1, 2)),
    "batching": ((3, 5, 2), (3, 4, 1), GDN((2,), (1,), (1,), (0,), (0,)), (1, 1, 2)),
    "batching_second": ((3, 5), (4, 3, 1), GDN((), (1,), (1,), (0,), (1,)), (1, 1)),
    "batching_zero_size": ((3, 5), (3, 1), GDN((), (1,), (1,), (0,), (0,)), (0, 1)),
    "no_index": ((4,), (3, 0), GDN((1,), (), ()), (2,)),
    "scalar_operand": ((), (2, 0), GDN((), (), ()), ()),
    "no_batch": ((6,), (1,), GDN((0,), (), (0,)), (3,)),
    "empty_batch": ((5, 3), (0, 1), GDN((1,), (0,), (0,)), (1, 3)),
    "empty_window": ((5, 3), (2, 1), GDN((1,), (0,), (0,)), (1, 0)),
}


def _gather_indices(shape, idt, op_shape, seed=0):
    rng = np.random.default_rng(seed)
    hi = max(op_shape) if op_shape else 1
    info = np.iinfo(idt)
    pool = [v for v in (-1, -2, 0, 1, 2, 3, hi - 1, hi, hi + 3, info.max, info.min,
                        -2**31, 2**31 - 1, 2**40, -2**40, 2**62, 2**63 - 1)
            if info.min <= v <= info.max]
    pool = np.array(pool, dtype=idt)
    return pool[rng.integers(0, pool.size, size=shape)]


def _gather(mode, dn, sizes, fill=None):
    def f(x, i):
        return lax.gather(x, i, dn, sizes, mode=mode, fill_value=fill)
    return f


@pytest.mark.parametrize("name", sorted(GATHERS))
@pytest.mark.parametrize("mode", ["clip", "fill", "promise_in_bounds"])
def test_gather_forms(name, mode):
    op_shape, ind_shape, dn, sizes = GATHERS[name]
    for k, (dt, idt) in enumerate([(np.float32, np.int32), (np.int8, np.uint8),
                                   (np.bool_, np.int16), (np.uint32, np.uint32),
                                   (np.float16, np.int8)]):
        x = data(op_shape, dt, k)
        i = _gather_indices(ind_shape, idt, op_shape, k)
        check(_gather(mode, dn, sizes), x, i)
    # in-bounds indices (FILL reads every window)
    x = data(op_shape, np.float32)
    rng = np.random.default_rng(5)
    hi = np.array([op_shape[d] - sizes[d] for d in dn.start_index_map] or [0])
    i = (rng.integers(0, 10**6, size=ind_shape) % (hi + 1)).astype(np.int32) \
        if ind_shape[-1] else np.zeros(ind_shape, np.int32)
    check(_gather(mode, dn, sizes), x, i)


@pytest.mark.parametrize("dt", [np.float32, np.int8, np.uint16, np.bool_, np.float16])
def test_gather_fill_values(dt):
    op_shape, ind_shape, dn, sizes = GATHERS["rows"]
    x = data(op_shape, dt)
    i = np.array([[0], [-1], [4], [5]], np.int32)
    for fill in (None, 7, -3, 0.5, 1e10, float("nan"), True):
        check(_gather("fill", dn, sizes, fill), x, i)


def test_gather_x64():
    with enable_x64():
        for name in ("points", "batching", "windows_permuted"):
            op_shape, ind_shape, dn, sizes = GATHERS[name]
            for dt, idt in [(np.float64, np.int64), (np.int64, np.uint64),
                            (np.uint64, np.int64)]:
                x = data(op_shape, dt)
                i = _gather_indices(ind_shape, idt, op_shape, 3)
                for mode in ("clip", "fill"):
                    check(_gather(mode, dn, sizes), x, i)


def test_gather_fused_and_literal_indices():
    op_shape, ind_shape, dn, sizes = GATHERS["rows"]
    x = data(op_shape, np.float32)
    i = np.array([[4], [9], [-2], [0]], np.int32)
    check(lambda x, i: _gather("fill", dn, sizes)(x * 2, i) + 1, x, i)
    check(lambda x: _gather("clip", dn, sizes)(x, np.array([[3], [-8]], np.int32)), x)
    check(lambda x, i: _gather("clip", dn, sizes)(x, lax.rev(i, (0,))), x, i)


# ----------------------------------------------------------------------------- scatter

SCATTERS = {
    # (operand shape, indices shape, updates shape, dimension numbers)
    "elements": ((6,), (8, 1), (8,), SDN((), (0,), (0,))),
    "rows": ((5, 3), (4, 1), (4, 3), SDN((1,), (0,), (0,))),
    "windows_permuted": ((6, 7), (3, 2), (3, 2, 3), SDN((1, 2), (), (1, 0))),
    "window_first": ((5, 3), (4, 1), (3, 4), SDN((0,), (0,), (0,))),
    "points": ((4, 5), (2, 3, 2), (2, 3), SDN((), (0, 1), (0, 1))),
    "batching": ((3, 5), (3, 4, 1), (3, 4), SDN((), (1,), (1,), (0,), (0,))),
    "batching_second": ((3, 5, 2), (4, 3, 1), (4, 3, 2), SDN((2,), (1,), (1,), (0,), (1,))),
    "scalar_operand": ((), (5, 0), (5,), SDN((), (), ())),
    "no_index": ((4,), (3, 0), (3, 2), SDN((1,), (), ())),
    "empty_updates": ((6,), (0, 1), (0,), SDN((), (0,), (0,))),
    "empty_window": ((5, 3), (2, 1), (2, 0), SDN((1,), (0,), (0,))),
    "empty_operand": ((0, 3), (2, 1), (2, 0, 3), SDN((1, 2), (), (0,))),
}

SCATTER_FNS = {"scatter": lax.scatter, "add": lax.scatter_add, "sub": lax.scatter_sub,
               "mul": lax.scatter_mul, "min": lax.scatter_min, "max": lax.scatter_max}


def _scatter(kind, dn, mode):
    fn = SCATTER_FNS[kind]

    def f(x, i, u):
        return fn(x, i, u, dn, mode=mode)
    return f


def _scatter_indices(shape, idt, op_shape, seed):
    rng = np.random.default_rng(seed)
    hi = max(op_shape) if op_shape else 1
    info = np.iinfo(idt)
    pool = [v for v in (-1, 0, 0, 1, 1, 2, 3, hi - 2, hi - 1, hi, info.max, info.min,
                        2**40, -2**40, 2**63 - 1) if info.min <= v <= info.max]
    pool = np.array(pool, dtype=idt)
    return pool[rng.integers(0, pool.size, size=shape)]


def _scatter_all(dn, mode, kinds):
    """Every scatter kind of `kinds` in one jitted program (one compilation)."""
    def f(x, i, u):
        return tuple(SCATTER_FNS[k](x, i, u, dn, mode=mode) for k in kinds)
    return f


@pytest.mark.parametrize("name", sorted(SCATTERS))
@pytest.mark.parametrize("mode", ["clip", "fill", "promise_in_bounds"])
def test_scatter_forms(name, mode):
    op_shape, ind_shape, upd_shape, dn = SCATTERS[name]
    for k, (dt, idt) in enumerate([(np.float32, np.int32), (np.int8, np.uint8),
                                   (np.uint32, np.int16), (np.bool_, np.int8)]):
        kinds = ["scatter", "min", "max"] if dt == np.bool_ else list(SCATTER_FNS)
        x = data(op_shape, dt, k)
        u = data(upd_shape, dt, k + 10)
        i = _scatter_indices(ind_shape, idt, op_shape, k)
        check(_scatter_all(dn, mode, kinds), x, i, u, bounds=(k == 0))


@pytest.mark.parametrize("kind", sorted(SCATTER_FNS))
def test_scatter_float_semantics(kind):
    """Duplicates combine in row-major order of the updates (float rounding), NaN
    propagates as NumPy's ufunc.at does, -0.0 and inf included; float16 too."""
    op_shape, ind_shape, upd_shape, dn = SCATTERS["elements"]
    x = np.array([1.0, np.nan, -0.0, 0.0, np.inf, 3.0], np.float32)
    i = np.array([[0], [0], [1], [2], [2], [3], [4], [0]], np.int32)
    u = np.array([1e-8, 3.0, 5.0, 0.0, -0.0, np.nan, -np.inf, 1e8], np.float32)
    for dt in (np.float32, np.float16):
        with np.errstate(over="ignore"):
            xd, ud = x.astype(dt), u.astype(dt)
        check(_scatter(kind, dn, "clip"), xd, i, ud)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(6).astype(np.float32)
    i = rng.integers(0, 6, size=(200, 1)).astype(np.int32)
    u = rng.standard_normal(200).astype(np.float32) * 1e3
    check(_scatter(kind, dn, "fill"), x, i, u)


def test_scatter_x64():
    with enable_x64():
        for name in ("rows", "batching", "windows_permuted"):
            op_shape, ind_shape, upd_shape, dn = SCATTERS[name]
            for dt, idt in [(np.float64, np.int64), (np.int64, np.uint64),
                            (np.uint64, np.int64)]:
                x, u = data(op_shape, dt), data(upd_shape, dt, 4)
                i = _scatter_indices(ind_shape, idt, op_shape, 2)
                for mode in ("clip", "fill"):
                    check(_scatter_all(dn, mode, ("scatter", "add", "max")), x, i, u)


def test_scatter_fused_operands_and_params():
    op_shape, ind_shape, upd_shape, dn = SCATTERS["rows"]
    x, u = data(op_shape, np.float32), data(upd_shape, np.float32, 1)
    i = np.array([[1], [7], [1], [-1]], np.int32)
    check(lambda x, i, u: lax.scatter_add(x * 2, i, u + 1, dn) * 3, x, i, u)
    check(lambda x, u: lax.scatter_mul(x, np.array([[0], [2], [0], [9]], np.int32), u, dn,
                                       mode="clip"), x, u)
    for sorted_, unique in ((True, True), (False, True), (True, False)):
        check(lambda x, i, u: lax.scatter(x, i, u, dn, indices_are_sorted=sorted_,
                                          unique_indices=unique), x, i, u)
    # the gather-transpose shape: a scatter-add into zeros
    check(lambda i, u: lax.scatter_add(lax.broadcast_in_dim(np.float32(0), op_shape, ()),
                                       i, u, dn, mode="promise_in_bounds"), i, u)


def test_scatter_minmax_zero_ties_every_numpy_convention(monkeypatch):
    """NumPy's SIMD max/min keep either operand of a +0.0/-0.0 tie depending on the
    build; the lowering probes it, and each convention is implemented."""
    from tinyjax.lowering import lower_indexing as li

    dn = SCATTERS["elements"][3]
    x = np.array([0.0, -0.0, 0.0, -0.0, np.nan, 1.0, 2.0, -np.inf], np.float32)
    u = np.array([-0.0, 0.0, 0.0, -0.0, 1.0, np.nan, 3.0, np.inf], np.float32)
    i = np.arange(8, dtype=np.int32).reshape(8, 1)
    for kind, np_op in (("max", np.greater), ("min", np.less)):
        for tie in ("first", "second", "sign"):
            monkeypatch.setitem(li._TIES, (kind, np.dtype(np.float32)), tie)
            got = np.asarray(tj.jit(_scatter(kind, dn, "clip"))(x, i, u))
            with np.errstate(invalid="ignore"):
                pick_x = np_op(x, u) | np.isnan(x)
            want = np.where(pick_x, x, u)
            eq = x == u
            if tie == "first":
                want = np.where(eq, x, want)
            elif tie == "sign":
                want = np.where(eq, np.float32(0.0) if kind == "max" else np.float32(-0.0),
                                want)
                want = np.where(eq & (np.signbit(x) == np.signbit(u)), x, want)
            assert_same(got, want.astype(np.float32))


def _n_kernels(f, *args):
    text = tj.jit(f).lower(*args).compile().as_text()
    return int(text.rsplit("# ", 1)[1].split()[0])


def test_index_maps_fuse():
    x = data((4, 6), np.float32)
    i = np.array([[1], [3]], np.int32)
    dn = GDN((1,), (0,), (0,))
    chain = lambda x, i: lax.gather(                                    # noqa: E731
        lax.pad(lax.transpose(lax.rev(lax.reshape(x * 2, (6, 4)), (0,)), (1, 0)),
                np.float32(0), ((1, 0, 1), (0, -1, 0))) + 1, i, dn, (1, 5), mode="clip")
    check(chain, x, i)
    assert _n_kernels(chain, x, i) <= 2       # the gather re-reads: its operand may be kept
    simple = lambda x: lax.slice(lax.concatenate(                         # noqa: E731
        [lax.transpose(x, (1, 0)) * 2, lax.broadcasted_iota(np.float32, (6, 2), 1)], 1),
        (1, 0), (6, 6), (2, 2)) + 1
    check(simple, x)
    assert _n_kernels(simple, x) == 1


try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover
    given = None

if given is not None:
    @settings(max_examples=25, deadline=None)
    @given(st.lists(st.tuples(st.integers(0, 4), st.integers(-4, 4), st.integers(-4, 4),
                              st.integers(0, 3)), min_size=1, max_size=3), st.data())
    def test_pad_random(dims, draw):
        shape = tuple(n for n, _, _, _ in dims)
        config = []
        for n, lo, hi, interior in dims:
            dil = 0 if n == 0 else 1 + (interior + 1) * (n - 1)
            if lo + hi + dil < 0:
                hi = -lo - dil
            config.append((lo, hi, interior))
        x = data(shape, np.int32, draw.draw(st.integers(0, 9)))
        check(lambda x, p: lax.pad(x, p, config), x, np.int32(-1))
