"""Dtypes, config, and JAX's type-promotion lattice with weak types."""

import importlib
import itertools
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinyjax.core import dtypes as D
from tinyjax.core.config import config, disable_x64, enable_x64, x64_enabled

# The module itself (the package binds the name `config` to the Config object).
config_module = importlib.import_module("tinyjax.core.config")


class FakeArray:
    """Stands in for a tinyjax Array / tracer: has .dtype and .weak_type."""

    def __init__(self, dtype, weak_type=False):
        self.dtype = np.dtype(dtype)
        self.weak_type = weak_type

    def __repr__(self):
        return f"FakeArray({self.dtype}, weak={self.weak_type})"


# ---------------------------------------------------------------------------
# (a) JAX's documented promotion table, written out.
#
# Rows/columns: the 12 strong dtypes, then `i*` (Python int), `f*` (Python
# float) and Python bool. A trailing `*` marks a weakly typed result.

ORDER = ["b", "u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64",
         "f16", "f32", "f64", "i*", "f*", "pybool"]

TABLE_X64 = """
       b     u8    u16   u32   u64   i8    i16   i32   i64   f16   f32   f64   i*    f*    pybool
b      b     u8    u16   u32   u64   i8    i16   i32   i64   f16   f32   f64   i64*  f64*  b
u8     u8    u8    u16   u32   u64   i16   i16   i32   i64   f16   f32   f64   u8    f64*  u8
u16    u16   u16   u16   u32   u64   i32   i32   i32   i64   f16   f32   f64   u16   f64*  u16
u32    u32   u32   u32   u32   u64   i64   i64   i64   i64   f16   f32   f64   u32   f64*  u32
u64    u64   u64   u64   u64   u64   f64*  f64*  f64*  f64*  f16   f32   f64   u64   f64*  u64
i8     i8    i16   i32   i64   f64*  i8    i16   i32   i64   f16   f32   f64   i8    f64*  i8
i16    i16   i16   i32   i64   f64*  i16   i16   i32   i64   f16   f32   f64   i16   f64*  i16
i32    i32   i32   i32   i64   f64*  i32   i32   i32   i64   f16   f32   f64   i32   f64*  i32
i64    i64   i64   i64   i64   f64*  i64   i64   i64   i64   f16   f32   f64   i64   f64*  i64
f16    f16   f16   f16   f16   f16   f16   f16   f16   f16   f16   f32   f64   f16   f16   f16
f32    f32   f32   f32   f32   f32   f32   f32   f32   f32   f32   f32   f64   f32   f32   f32
f64    f64   f64   f64   f64   f64   f64   f64   f64   f64   f64   f64   f64   f64   f64   f64
i*     i64*  u8    u16   u32   u64   i8    i16   i32   i64   f16   f32   f64   i64*  f64*  i64*
f*     f64*  f64*  f64*  f64*  f64*  f64*  f64*  f64*  f64*  f16   f32   f64   f64*  f64*  f64*
pybool b     u8    u16   u32   u64   i8    i16   i32   i64   f16   f32   f64   i64*  f64*  b
"""

# x64 off: 64-bit inputs are canonicalized to 32-bit *before* promotion, so
# e.g. u64 + i8 is u32 + i8 = i32 (not f*), and u32 + i32 is i32.
TABLE_X32 = """
       b     u8    u16   u32   u64   i8    i16   i32   i64   f16   f32   f64   i*    f*    pybool
b      b     u8    u16   u32   u32   i8    i16   i32   i32   f16   f32   f32   i32*  f32*  b
u8     u8    u8    u16   u32   u32   i16   i16   i32   i32   f16   f32   f32   u8    f32*  u8
u16    u16   u16   u16   u32   u32   i32   i32   i32   i32   f16   f32   f32   u16   f32*  u16
u32    u32   u32   u32   u32   u32   i32   i32   i32   i32   f16   f32   f32   u32   f32*  u32
u64    u32   u32   u32   u32   u32   i32   i32   i32   i32   f16   f32   f32   u32   f32*  u32
i8     i8    i16   i32   i32   i32   i8    i16   i32   i32   f16   f32   f32   i8    f32*  i8
i16    i16   i16   i32   i32   i32   i16   i16   i32   i32   f16   f32   f32   i16   f32*  i16
i32    i32   i32   i32   i32   i32   i32   i32   i32   i32   f16   f32   f32   i32   f32*  i32
i64    i32   i32   i32   i32   i32   i32   i32   i32   i32   f16   f32   f32   i32   f32*  i32
f16    f16   f16   f16   f16   f16   f16   f16   f16   f16   f16   f32   f32   f16   f16   f16
f32    f32   f32   f32   f32   f32   f32   f32   f32   f32   f32   f32   f32   f32   f32   f32
f64    f32   f32   f32   f32   f32   f32   f32   f32   f32   f32   f32   f32   f32   f32   f32
i*     i32*  u8    u16   u32   u32   i8    i16   i32   i32   f16   f32   f32   i32*  f32*  i32*
f*     f32*  f32*  f32*  f32*  f32*  f32*  f32*  f32*  f32*  f16   f32   f32   f32*  f32*  f32*
pybool b     u8    u16   u32   u32   i8    i16   i32   i32   f16   f32   f32   i32*  f32*  b
"""

SHORT_TO_DTYPE = {D.short_name(d): d for d in D.ALL_DTYPES}
SHORT_TO_DTYPE["b"] = D.bool_


def parse_table(text):
    lines = [line.split() for line in text.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    assert header == ORDER
    table = {}
    for row in rows:
        assert len(row) == len(ORDER) + 1, row
        for col, cell in zip(ORDER, row[1:]):
            weak = cell.endswith("*")
            table[row[0], col] = (SHORT_TO_DTYPE[cell.rstrip("*")], weak)
    assert len(table) == len(ORDER) ** 2
    return table


def entry_forms(name):
    """The ways a table entry can be passed to result_type."""
    if name == "i*":
        return [int, 3, -7]
    if name == "f*":
        return [float, 2.5]
    if name == "pybool":
        return [bool, True]
    dt = SHORT_TO_DTYPE[name]
    return [dt, dt.name, dt.type, np.zeros((2,), dt), dt.type(0)]


def weak_array_forms(name):
    """Weakly typed tinyjax-style arrays standing for i* / f*."""
    if name == "i*":
        return [FakeArray(D.default_int_dtype(), True)]
    if name == "f*":
        return [FakeArray(D.default_float_dtype(), True)]
    return []


@pytest.mark.parametrize("x64", [True, False], ids=["x64", "x32"])
def test_full_promotion_table(x64):
    table = parse_table(TABLE_X64 if x64 else TABLE_X32)
    with enable_x64(x64):
        for (ra, cb), expected in table.items():
            for a in entry_forms(ra) + weak_array_forms(ra):
                for b in entry_forms(cb) + weak_array_forms(cb):
                    got = D.result_type(a, b, return_weak_type_flag=True)
                    assert got == expected, (ra, cb, a, b, got, expected)
                    assert D.result_type(a, b) == expected[0]


@pytest.mark.parametrize("x64", [True, False], ids=["x64", "x32"])
def test_table_is_symmetric(x64):
    table = parse_table(TABLE_X64 if x64 else TABLE_X32)
    for (a, b), v in table.items():
        assert table[b, a] == v


@pytest.mark.parametrize("x64", [True, False], ids=["x64", "x32"])
def test_strong_arrays_of_table_dtypes(x64):
    # tinyjax arrays (strong) behave like NumPy arrays of canonical dtype.
    table = parse_table(TABLE_X64 if x64 else TABLE_X32)
    with enable_x64(x64):
        for (ra, cb), expected in table.items():
            if ra in ("i*", "f*", "pybool") or cb in ("i*", "f*", "pybool"):
                continue
            a = FakeArray(D.canonicalize_dtype(SHORT_TO_DTYPE[ra]))
            b = FakeArray(D.canonicalize_dtype(SHORT_TO_DTYPE[cb]))
            assert D.result_type(a, b, return_weak_type_flag=True) == expected


@pytest.mark.parametrize("x64", [True, False], ids=["x64", "x32"])
def test_promote_types_strong_table(x64):
    table = parse_table(TABLE_X64)
    with enable_x64(x64):
        for (ra, cb), (expected, _) in table.items():
            if ra == "pybool" or cb == "pybool":
                continue
            a = {"i*": int, "f*": float}.get(ra) or SHORT_TO_DTYPE[ra]
            b = {"i*": int, "f*": float}.get(cb) or SHORT_TO_DTYPE[cb]
            # promote_types joins the given dtypes, then canonicalizes.
            assert D.promote_types(a, b) == D.canonicalize_dtype(expected), (ra, cb)


# ---------------------------------------------------------------------------
# (c) specific facts


def test_specific_facts():
    with disable_x64():
        f32 = np.ones(3, np.float32)
        i32 = FakeArray(np.int32)
        assert D.result_type(f32, 2.0, return_weak_type_flag=True) == (D.float32, False)
        assert D.result_type(FakeArray(np.float32), 2.0, return_weak_type_flag=True) == (D.float32, False)
        assert D.result_type(i32, 2.0, return_weak_type_flag=True) == (D.float32, True)
        assert D.result_type(np.uint8, np.int8) == D.int16
        assert D.result_type(True, 1, return_weak_type_flag=True) == (D.int32, True)
        assert D.result_type(np.bool_, 1, return_weak_type_flag=True) == (D.int32, True)
        assert D.result_type(np.int8, 2, return_weak_type_flag=True) == (D.int8, False)
        assert D.result_type(np.uint8, 2.0, return_weak_type_flag=True) == (D.float32, True)
        assert D.result_type(np.float16, 2.0, return_weak_type_flag=True) == (D.float16, False)
        assert D.result_type(2, 3.0, return_weak_type_flag=True) == (D.float32, True)
        assert D.result_type(np.uint32, np.int32) == D.int32
    with enable_x64():
        assert D.result_type(2, 3.0, return_weak_type_flag=True) == (D.float64, True)
        assert D.result_type(np.uint32, np.int32) == D.int64
        assert D.result_type(np.uint64, np.int8, return_weak_type_flag=True) == (D.float64, True)
        assert D.result_type(FakeArray(np.float32), 2.0) == D.float32


def test_weak_non_default_dtypes():
    # A weak value with a non-default dtype acts as i*/f*; weak results take
    # the default dtype of their kind (as in JAX).
    for x64 in (True, False):
        with enable_x64(x64):
            f = D.default_float_dtype()
            i = D.default_int_dtype()
            u = D.default_uint_dtype()
            wf16 = FakeArray(np.float16, True)
            assert D.result_type(wf16, return_weak_type_flag=True) == (f, True)
            assert D.result_type(wf16, wf16, return_weak_type_flag=True) == (f, True)
            assert D.result_type(wf16, np.int8, return_weak_type_flag=True) == (f, True)
            assert D.result_type(wf16, np.float16, return_weak_type_flag=True) == (D.float16, False)
            assert D.result_type(wf16, 2, return_weak_type_flag=True) == (f, True)
            wu8 = FakeArray(np.uint8, True)
            assert D.result_type(wu8, wu8, return_weak_type_flag=True) == (u, True)
            assert D.result_type(wu8, np.int8, return_weak_type_flag=True) == (D.int8, False)
            assert D.result_type(wu8, FakeArray(np.int8, True), return_weak_type_flag=True) == (i, True)
            assert D.result_type(FakeArray(np.bool_, True), 1, return_weak_type_flag=True) == (i, True)
            assert D.result_type(FakeArray(np.bool_, True), return_weak_type_flag=True) == (D.bool_, False)


def test_result_type_arity():
    with pytest.raises(ValueError, match="at least one"):
        D.result_type()
    with disable_x64():
        assert D.result_type(np.float64, return_weak_type_flag=True) == (D.float32, False)
        assert D.result_type(3, return_weak_type_flag=True) == (D.int32, True)
        assert D.result_type(None) == D.float32
        assert D.result_type(None, np.int8) == D.float32
        assert D.result_type(np.uint8, np.int8, np.float16, 1.0) == D.float16
        assert D.result_type(np.int8, 1, 2, 3, return_weak_type_flag=True) == (D.int8, False)
        assert D.result_type(*([np.int8] * 50 + [np.uint8])) == D.int16


# ---------------------------------------------------------------------------
# Lattice properties

def _entries():
    # Weakly typed arrays of unsigned dtypes are left out: all-weak promotion
    # maps them to the default *unsigned* dtype, and then JAX's rules stop
    # being associative (weak u64 + weak i64 -> f*, while i* + i* -> i*).
    # tinyjax never creates them (weak results are default int/float).
    out = [*D.ALL_DTYPES, 3, 2.5, True]
    out += [FakeArray(d, True) for d in D.ALL_DTYPES if not D.is_unsigned(d)]
    return out


ENTRIES = _entries()


def _as_value(key):
    dtype, weak = key
    return FakeArray(dtype, weak)


def _canonical_entry(x):
    # Under x64 off, a FakeArray must hold a canonical dtype to be realistic.
    if isinstance(x, FakeArray):
        return FakeArray(D.canonicalize_dtype(x.dtype), x.weak_type)
    return x


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ENTRIES), st.sampled_from(ENTRIES), st.booleans())
def test_commutative(a, b, x64):
    with enable_x64(x64):
        a, b = _canonical_entry(a), _canonical_entry(b)
        assert (D.result_type(a, b, return_weak_type_flag=True)
                == D.result_type(b, a, return_weak_type_flag=True))


@settings(max_examples=1000, deadline=None)
@given(st.sampled_from(ENTRIES), st.sampled_from(ENTRIES), st.sampled_from(ENTRIES),
       st.booleans())
def test_associative(a, b, c, x64):
    with enable_x64(x64):
        a, b, c = map(_canonical_entry, (a, b, c))
        rt = lambda *xs: D.result_type(*xs, return_weak_type_flag=True)
        left = rt(_as_value(rt(a, b)), c)
        right = rt(a, _as_value(rt(b, c)))
        assert left == right == rt(a, b, c)


@pytest.mark.parametrize("x64", [True, False], ids=["x64", "x32"])
def test_associative_exhaustive_strong_and_python(x64):
    entries = [*D.ALL_DTYPES, 3, 2.5, True]
    rt = lambda *xs: D.result_type(*xs, return_weak_type_flag=True)
    with enable_x64(x64):
        for a, b, c in itertools.product(entries, repeat=3):
            assert rt(_as_value(rt(a, b)), c) == rt(a, _as_value(rt(b, c))) == rt(a, b, c)


def test_lattice_joins_are_least_upper_bounds():
    # Every node's join with itself is itself and bool is the bottom.
    for x64 in (True, False):
        joins = D._JOINS[x64]
        nodes = {a for a, _ in joins}
        for n in nodes:
            assert joins[n, n] == n
            assert joins[D.bool_, n] == n
            assert joins[n, D.float64] == D.float64


# ---------------------------------------------------------------------------
# (b) against real JAX, when installed


def _jax_modules():
    jax = pytest.importorskip("jax")
    import jax.numpy as jnp
    return jax, jnp


def _jax_weak_array(jax, jnp, dtype):
    from jax._src.lax.lax import _convert_element_type
    return _convert_element_type(jnp.zeros((), dtype), np.dtype(dtype), weak_type=True)


def _compare_with_jax(x64, arity):
    jax, jnp = _jax_modules()
    old = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", x64)
    try:
        with enable_x64(x64), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dtypes = [d for d in D.ALL_DTYPES if x64 or d == D.canonicalize_dtype(d)]
            # (tinyjax form, jax form) pairs.
            forms = [(d, d) for d in D.ALL_DTYPES]
            forms += [(int, int), (float, float), (bool, bool), (3, 3), (2.5, 2.5), (True, True)]
            forms += [(np.zeros(2, d), np.zeros(2, d)) for d in D.ALL_DTYPES]
            forms += [(FakeArray(d), jnp.zeros((), d)) for d in dtypes]
            try:
                forms += [(FakeArray(d, True), _jax_weak_array(jax, jnp, d)) for d in dtypes]
            except Exception:  # private API moved: keep the rest of the comparison
                forms += [(FakeArray(D.default_int_dtype(), True), jnp.asarray(1)),
                          (FakeArray(D.default_float_dtype(), True), jnp.asarray(1.0))]
            if arity == 3:
                # Strong dtypes, Python scalars and weak arrays of default dtype.
                forms = [f for f in forms if not isinstance(f[0], np.ndarray)
                         and not (isinstance(f[0], FakeArray) and not f[0].weak_type)]
            checked = 0
            for combo in itertools.product(forms, repeat=arity):
                ours = D.result_type(*(c[0] for c in combo), return_weak_type_flag=True)
                theirs = jax.dtypes.result_type(*(c[1] for c in combo),
                                                return_weak_type_flag=True)
                theirs = (np.dtype(theirs[0]), bool(theirs[1]))
                assert ours == theirs, ([c[0] for c in combo], ours, theirs)
                checked += 1
            return checked
    finally:
        jax.config.update("jax_enable_x64", old)


@pytest.mark.parametrize("x64", [True, False], ids=["x64", "x32"])
def test_pairs_match_jax(x64):
    assert _compare_with_jax(x64, arity=2) > 1000


@pytest.mark.slow
@pytest.mark.parametrize("x64", [True, False], ids=["x64", "x32"])
def test_triples_match_jax(x64):
    assert _compare_with_jax(x64, arity=3) > 10000


@pytest.mark.parametrize("x64", [True, False], ids=["x64", "x32"])
def test_promote_types_matches_jax(x64):
    jax, jnp = _jax_modules()
    old = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", x64)
    try:
        with enable_x64(x64), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            specs = [*D.ALL_DTYPES, int, float, "float32", np.int16]
            for a, b in itertools.product(specs, repeat=2):
                theirs = np.dtype(jnp.promote_types(a, b))
                # jnp.promote_types does not canonicalize; tinyjax's does.
                assert D.promote_types(a, b) == D.canonicalize_dtype(theirs), (a, b)
    finally:
        jax.config.update("jax_enable_x64", old)


@pytest.mark.parametrize("x64", [True, False], ids=["x64", "x32"])
def test_canonicalize_matches_jax(x64):
    jax, _ = _jax_modules()
    old = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", x64)
    try:
        with enable_x64(x64):
            for d in [*D.ALL_DTYPES, "float32", "int64", np.float64, np.uint16]:
                assert D.canonicalize_dtype(d) == jax.dtypes.canonicalize_dtype(d), d
    finally:
        jax.config.update("jax_enable_x64", old)


# ---------------------------------------------------------------------------
# (d) canonicalization, dtype_and_weak, helpers


def test_canonicalize_x64_off():
    with disable_x64():
        assert D.canonicalize_dtype(np.int64) == D.int32
        assert D.canonicalize_dtype("uint64") == D.uint32
        assert D.canonicalize_dtype(np.dtype("float64")) == D.float32
        assert D.canonicalize_dtype(float) == D.float32
        assert D.canonicalize_dtype(int) == D.int32
        assert D.canonicalize_dtype(bool) == D.bool_
        assert D.canonicalize_dtype(np.float16) == D.float16
        assert D.canonicalize_dtype(">f8") == D.float32
        assert D.default_float_dtype() == D.float32
        assert D.default_int_dtype() == D.int32
        assert D.default_uint_dtype() == D.uint32
        for d in D.ALL_DTYPES:
            assert isinstance(D.canonicalize_dtype(d), np.dtype)
            assert D.canonicalize_dtype(d).itemsize <= 4


def test_canonicalize_x64_on():
    with enable_x64():
        for d in D.ALL_DTYPES:
            assert D.canonicalize_dtype(d) == d
        assert D.canonicalize_dtype(float) == D.float64
        assert D.canonicalize_dtype(int) == D.int64
        assert D.default_float_dtype() == D.float64
        assert D.default_int_dtype() == D.int64
        assert D.default_uint_dtype() == D.uint64


def test_canonicalize_cache_follows_x64_flips():
    with disable_x64():
        assert D.canonicalize_dtype("float64") == D.float32
        with enable_x64():
            assert D.canonicalize_dtype("float64") == D.float64
            assert D.result_type(1.0) == D.float64
        assert D.canonicalize_dtype("float64") == D.float32
        assert D.result_type(1.0) == D.float32


def test_complex_rejected():
    for bad in (np.complex64, "complex64", np.dtype(np.complex128), complex):
        with pytest.raises(TypeError, match="tinyjax does not support complex dtypes"):
            D.canonicalize_dtype(bad)
    with pytest.raises(TypeError, match=r"complex dtypes \(complex64\)"):
        D.canonicalize_dtype(np.complex64)
    with pytest.raises(TypeError, match="complex"):
        D.result_type(np.ones(2, np.complex64), 1)
    with pytest.raises(TypeError, match="complex"):
        D.result_type(1j, 1.0)
    with pytest.raises(TypeError, match="complex"):
        D.promote_types(np.complex64, np.float32)


def test_unsupported_dtypes_rejected():
    for bad in ("S3", object, "datetime64[s]", "float128" if hasattr(np, "float128") else "U2"):
        with pytest.raises(TypeError):
            D.canonicalize_dtype(bad)
    with pytest.raises(TypeError):
        D.canonicalize_dtype("not_a_dtype")


def test_dtype_and_weak():
    with disable_x64():
        assert D.dtype_and_weak(True) == (D.bool_, False)
        assert D.dtype_and_weak(3) == (D.int32, True)
        assert D.dtype_and_weak(3.0) == (D.float32, True)
        assert D.dtype_and_weak(int) == (D.int32, True)
        assert D.dtype_and_weak(float) == (D.float32, True)
        assert D.dtype_and_weak(np.float64(3.0)) == (D.float32, False)  # not a Python float
        assert D.dtype_and_weak(np.bool_(True)) == (D.bool_, False)
        assert D.dtype_and_weak(np.int64(1)) == (D.int32, False)
        assert D.dtype_and_weak(np.zeros(2, np.uint64)) == (D.uint32, False)
        assert D.dtype_and_weak(np.float32) == (D.float32, False)
        assert D.dtype_and_weak("int16") == (D.int16, False)
        assert D.dtype_and_weak(FakeArray(np.float32, True)) == (D.float32, True)
        assert D.dtype_and_weak(FakeArray(np.int8, False)) == (D.int8, False)

        class OnlyDtype:
            dtype = np.dtype(np.float64)

        assert D.dtype_and_weak(OnlyDtype()) == (D.float32, False)
        assert D.dtype_and_weak([1.0, 2.0]) == (D.float32, False)
    with enable_x64():
        assert D.dtype_and_weak(3) == (D.int64, True)
        assert D.dtype_and_weak(3.0) == (D.float64, True)
        assert D.dtype_and_weak(np.float64(3.0)) == (D.float64, False)


def test_is_weakly_typed():
    assert D.is_weakly_typed(1) and D.is_weakly_typed(1.0)
    assert not D.is_weakly_typed(True)
    assert not D.is_weakly_typed(np.float32(1))
    assert not D.is_weakly_typed(np.ones(2))
    assert D.is_weakly_typed(FakeArray(np.float32, True))
    assert not D.is_weakly_typed(FakeArray(np.float32, False))


def test_check_python_int():
    with disable_x64():
        D.check_python_int(2**31 - 1, D.default_int_dtype())
        D.check_python_int(-(2**31), np.int32)
        with pytest.raises(OverflowError, match="Python int 1099511627776 too large to convert to int32"):
            D.check_python_int(2**40, D.default_int_dtype())
        with pytest.raises(OverflowError, match="uint8"):
            D.check_python_int(-1, np.uint8)
        D.check_python_int(2**100, np.float32)  # floats: no range check
    with enable_x64():
        D.check_python_int(2**40, D.default_int_dtype())
        with pytest.raises(OverflowError, match="int64"):
            D.check_python_int(2**63, D.default_int_dtype())


def test_issubdtype():
    assert D.issubdtype(np.float32, np.floating)
    assert D.issubdtype("float16", np.inexact)
    assert D.issubdtype(np.int32, np.signedinteger)
    assert D.issubdtype(np.uint8, np.integer)
    assert D.issubdtype(np.uint8, np.unsignedinteger)
    assert not D.issubdtype(np.uint8, np.signedinteger)
    assert D.issubdtype(np.int8, np.number)
    assert D.issubdtype(np.bool_, np.bool_)
    assert not D.issubdtype(np.bool_, np.integer)
    assert not D.issubdtype(bool, np.integer)
    assert D.issubdtype(float, np.floating)
    assert not D.issubdtype(np.float32, float)  # float means float64, as in NumPy/JAX
    assert not D.issubdtype(np.int32, np.int64)
    assert D.issubdtype(FakeArray(np.float32), np.floating)
    assert D.issubdtype(np.dtype("int16"), "int16")


def test_can_cast_finfo_iinfo():
    assert D.can_cast(np.int8, np.int16)
    assert not D.can_cast(np.int32, np.float32)
    assert D.can_cast(np.float32, np.int32, casting="unsafe")
    assert D.can_cast(np.float64, np.float32, casting="same_kind")
    assert not D.can_cast(np.float32, np.int32, casting="same_kind")
    with disable_x64():
        assert D.finfo(np.float64).bits == 32
        assert D.finfo(float).eps == np.finfo(np.float32).eps
        assert D.iinfo(np.int64).max == 2**31 - 1
        assert D.iinfo(int).bits == 32
    with enable_x64():
        assert D.finfo(np.float64).bits == 64
        assert D.iinfo(np.uint64).max == 2**64 - 1
    assert D.finfo(np.float16).bits == 16
    with pytest.raises(ValueError):
        D.finfo(np.int32)
    with pytest.raises(ValueError):
        D.iinfo(np.float32)


def test_kind_predicates_and_short_names():
    names = [D.short_name(d) for d in D.ALL_DTYPES]
    assert names == ["bool", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64",
                     "f16", "f32", "f64"]
    assert D.short_name("float32") == "f32"
    assert D.short_name(np.uint16) == "u16"
    assert len(D.ALL_DTYPES) == 12
    assert all(isinstance(d, np.dtype) for d in D.ALL_DTYPES)
    for d in D.ALL_DTYPES:
        assert sum([D.is_float(d), D.is_int(d), D.is_bool(d)]) == 1
        assert D.is_unsigned(d) == (d.kind == "u")
    assert set(D.DTYPE_CATEGORIES["integer"]) == {
        d for d in D.ALL_DTYPES if D.is_int(d)}
    assert set(D.DTYPE_CATEGORIES["floating"]) == {D.float16, D.float32, D.float64}
    for d in D.DTYPE_CATEGORIES["signedinteger"]:
        assert D.issubdtype(d, np.signedinteger)


# ---------------------------------------------------------------------------
# (d) config


def test_config_defaults_and_reads():
    assert config.jax_numpy_rank_promotion == "allow"
    assert config.jax_default_matmul_precision is None
    assert config.jax_debug_nans is False
    assert config.jax_disable_jit is False
    assert config.jax_default_prng_impl == "threefry2x32"
    assert config.jax_threefry_partitionable is True
    assert config.read("jax_default_prng_impl") == "threefry2x32"
    assert config.jax_enable_x64 == x64_enabled() == config.x64_enabled
    assert "jax_enable_x64" in config.values


def test_config_update_and_unknown():
    old = config.jax_debug_nans
    try:
        config.update("jax_debug_nans", True)
        assert config.jax_debug_nans is True
        assert config.read("jax_debug_nans") is True
    finally:
        config.update("jax_debug_nans", old)
    with pytest.raises(AttributeError, match="jax_no_such_option"):
        config.update("jax_no_such_option", 1)
    with pytest.raises(AttributeError, match="jax_no_such_option"):
        config.jax_no_such_option
    with pytest.raises(AttributeError, match="jax_no_such_option"):
        config.read("jax_no_such_option")
    with pytest.raises(ValueError):
        config.update("jax_numpy_rank_promotion", "sometimes")
    with pytest.raises(AttributeError):
        config.jax_debug_nans = True  # must go through update


def test_config_update_x64_flips_fast_read():
    old = config.jax_enable_x64
    try:
        config.update("jax_enable_x64", True)
        assert x64_enabled() and config_module.x64_enabled()
        assert D.result_type(1.0) == D.float64
        config.update("jax_enable_x64", False)
        assert not x64_enabled()
        assert D.result_type(1.0) == D.float32
    finally:
        config.update("jax_enable_x64", old)


def test_context_managers_nest_and_restore():
    old = config.jax_enable_x64
    with enable_x64():
        assert x64_enabled()
        with disable_x64():
            assert not x64_enabled()
            with config.enable_x64(True):
                assert x64_enabled()
            assert not x64_enabled()
        assert x64_enabled()
        with enable_x64(False):
            assert not x64_enabled()
    assert config.jax_enable_x64 == old
    with pytest.raises(RuntimeError):
        with config.override("jax_disable_jit", True):
            assert config.jax_disable_jit is True
            raise RuntimeError("boom")
    assert config.jax_disable_jit is False
    with config.disable_x64():
        assert not config.jax_enable_x64


def test_on_change_hook():
    seen = []
    cb = config.on_change(lambda name, value: seen.append((name, value)))
    try:
        with disable_x64():
            seen.clear()
            with enable_x64():
                pass
        assert ("jax_enable_x64", True) in seen and seen[-1] == ("jax_enable_x64", False)
        seen.clear()
        config.update("jax_debug_nans", False)  # no change, no call
        assert seen == []
    finally:
        config.remove_on_change(cb)


@pytest.mark.parametrize("env,expected", [
    ({"TINYJAX_ENABLE_X64": "1"}, True),
    ({"TINYJAX_ENABLE_X64": "true"}, True),
    ({"JAX_ENABLE_X64": "True"}, True),
    ({"JAX_ENABLE_X64": "yes"}, True),
    ({"TINYJAX_ENABLE_X64": "0"}, False),
    ({}, False),
    ({"TINYJAX_LOG_COMPILES": "1"}, None),
])
def test_env_vars(env, expected):
    code = ("from tinyjax.core.config import config, x64_enabled;"
            "from tinyjax.core import dtypes;"
            "print(config.jax_enable_x64, x64_enabled(), dtypes.result_type(1.0),"
            " config.tinyjax_log_compiles)")
    clean = {k: v for k, v in os.environ.items()
             if k not in ("TINYJAX_ENABLE_X64", "JAX_ENABLE_X64", "TINYJAX_LOG_COMPILES")}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    clean["PYTHONPATH"] = root + os.pathsep + clean.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, "-c", code], env={**clean, **env}, cwd=root,
                         capture_output=True, text=True, check=True).stdout.split()
    if expected is None:
        assert out[3] == "True"
    else:
        assert out[:3] == [str(expected), str(expected), "float64" if expected else "float32"]
        assert out[3] == "False"


def test_package_never_imports_jax():
    code = ("import sys; import tinyjax.core.dtypes, tinyjax.core.config;"
            "print('jax' in sys.modules)")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=root,
                         capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"
