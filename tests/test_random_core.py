"""tinyjax.random's core: keys, the Threefry hash, bits and the basic samplers.

The specification is JAX 0.10.2 on CPU with its default PRNG (threefry2x32, the
partitionable counter layout), bit for bit: the stored reference outputs must
match exactly, and so must live `jax.random` calls where JAX is installed.
Statistical checks and the Random123 known-answer vectors stand without JAX.
"""
import contextlib
import json
import math
import pathlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinyjax
import tinyjax.numpy as jnp
from tinyjax import random
from tinyjax.core.config import enable_x64

REFERENCE = pathlib.Path(__file__).resolve().parents[2] / "shared" / "reference" / "jax_random.json"
KEY = random.PRNGKey(0)
F32, F16 = np.dtype(np.float32), np.dtype(np.float16)


def same(a, b):
    """Bit-for-bit equality (NaN equal to NaN), with equal dtypes and shapes."""
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype, (a.dtype, b.dtype)
    assert a.shape == b.shape, (a.shape, b.shape)
    if a.dtype.kind == "f":
        ok = (a == b) | (np.isnan(a) & np.isnan(b))
        assert ok.all(), f"{(~ok).sum()} of {a.size} differ, e.g. {a[~ok][:4]} vs {b[~ok][:4]}"
    else:
        np.testing.assert_array_equal(a, b)


@contextlib.contextmanager
def both_x64(jax):
    with enable_x64(), jax.enable_x64(True):
        yield


# ----------------------------------------------------------------------------- reference file

def _reference_cases():
    if not REFERENCE.exists():
        return []
    return sorted(json.loads(REFERENCE.read_text())["cases"].items())


@pytest.mark.skipif(not REFERENCE.exists(), reason="shared/reference/jax_random.json is absent")
@pytest.mark.parametrize("expr,case", _reference_cases(), ids=[c[0] for c in _reference_cases()])
def test_reference_outputs(expr, case):
    namespace = {name: getattr(random, name) for name in random.__all__}
    namespace["uint32"] = jnp.uint32
    out = np.asarray(eval(expr, namespace))
    assert out.shape == tuple(case["shape"])
    # booleans are stored as integers
    same(out.astype(case["dtype"]), np.array(case["value"], dtype=case["dtype"]))


# ----------------------------------------------------------------------------- threefry

def _threefry_reference(key, counter):
    """Threefry-2x32 with 20 rounds in plain Python (Salmon et al., SC'11)."""
    mask = 0xFFFFFFFF
    rot = ((13, 15, 26, 6), (17, 29, 16, 24))
    key, counter = tuple(map(int, key)), tuple(map(int, counter))
    ks = (key[0], key[1], key[0] ^ key[1] ^ 0x1BD11BDA)
    x0, x1 = (counter[0] + ks[0]) & mask, (counter[1] + ks[1]) & mask
    for i in range(5):
        for r in rot[i % 2]:
            x0 = (x0 + x1) & mask
            x1 = (((x1 << r) | (x1 >> (32 - r))) & mask) ^ x0
        x0 = (x0 + ks[(i + 1) % 3]) & mask
        x1 = (x1 + ks[(i + 2) % 3] + i + 1) & mask
    return x0, x1


@pytest.mark.parametrize("key,counter,expected", [
    # Random123's known-answer vectors for threefry2x32_20
    ((0, 0), (0, 0), (0x6B200159, 0x99BA4EFE)),
    ((0xFFFFFFFF, 0xFFFFFFFF), (0xFFFFFFFF, 0xFFFFFFFF), (0x1CB996FC, 0xBB002BE7)),
    ((0x13198A2E, 0x03707344), (0x243F6A88, 0x85A308D3), (0xC4923A9C, 0x483DF7A0)),
])
def test_threefry_known_answers(key, counter, expected):
    out = random.threefry_2x32(np.array(key, np.uint32), np.array(counter, np.uint32))
    # threefry_2x32 splits the counts in halves: (c0,) and (c1,) are one block
    same(out, np.array(expected, np.uint32))
    assert _threefry_reference(key, counter) == expected


@pytest.mark.parametrize("size", [0, 1, 2, 5, 8, 33])
def test_threefry_2x32_layout(size):
    keypair = (np.uint32(0x12345678), np.uint32(0x9ABCDEF0))
    count = np.arange(100, 100 + size, dtype=np.uint32)
    out = np.asarray(random.threefry_2x32(keypair, count))
    padded = list(count) + [0] * (size % 2)
    half = len(padded) // 2
    pairs = [_threefry_reference(keypair, (padded[i], padded[half + i])) for i in range(half)]
    expected = [p[0] for p in pairs] + [p[1] for p in pairs]
    same(out, np.array(expected[:size], np.uint32))


def test_threefry_2x32_matches_jax():
    jax = pytest.importorskip("jax")
    from jax.extend.random import threefry_2x32 as jax_threefry
    count = np.arange(24, dtype=np.uint32).reshape(2, 3, 4) * 977
    for seed in (0, 7, 2**31 + 5):
        same(random.threefry_2x32(random.PRNGKey(seed), count),
             jax_threefry(jax.random.PRNGKey(seed), count))


def test_threefry_jaxpr_is_plain_uint32_ops():
    jaxpr = tinyjax.make_jaxpr(lambda k: random.bits(k, (3, 5)))(KEY).jaxpr
    prims = {e.primitive.name for e in jaxpr.eqns}
    assert prims <= {"iota", "reshape", "slice", "squeeze", "add", "xor", "or", "shift_left",
                     "shift_right_logical", "convert_element_type"}, prims
    assert len(jaxpr.eqns) < 140  # 20 rounds of 5 ops plus the key schedule


# ----------------------------------------------------------------------------- keys

@pytest.mark.parametrize("seed,expected", [
    (0, (0, 0)), (42, (0, 42)), (-1, (0, 0xFFFFFFFF)), (2**40, (0, 0)), (2**32 + 5, (0, 5)),
    (2**31 + 3, (0, 2**31 + 3)), (True, (0, 1)), (np.int8(-1), (0, 0xFFFFFFFF)),
    (np.uint8(255), (0, 255)), (np.int32(-7), (0, 0xFFFFFFF9)),
])
def test_prng_key_seeds(seed, expected):
    same(random.PRNGKey(seed), np.array(expected, np.uint32))
    same(random.key(seed), np.array(expected, np.uint32))


def test_prng_key_seeds_x64():
    with enable_x64():
        same(random.PRNGKey(2**40 + 7), np.array([256, 7], np.uint32))
        same(random.PRNGKey(-1), np.array([0xFFFFFFFF] * 2, np.uint32))
        same(random.PRNGKey(np.int32(-1)), np.array([0, 0xFFFFFFFF], np.uint32))
        same(random.PRNGKey(np.uint64(2**64 - 1)), np.array([0xFFFFFFFF] * 2, np.uint32))


@given(st.integers(-2**63, 2**63 - 1))
@settings(max_examples=20, deadline=None)
def test_prng_key_any_int64_seed(seed):
    jax = pytest.importorskip("jax")
    same(random.PRNGKey(seed), jax.random.PRNGKey(seed))
    with both_x64(jax):
        same(random.PRNGKey(seed), jax.random.PRNGKey(seed))


def test_key_data_round_trip_and_helpers():
    k = random.key(3)
    same(random.key_data(k), np.array([0, 3], np.uint32))
    same(random.wrap_key_data(random.key_data(k)), k)
    keys = random.split(k, 4)
    same(random.wrap_key_data(random.key_data(keys)), keys)  # batches allowed
    assert random.key_impl(k) == "threefry2x32"
    same(random.clone(k), k)
    same(random.key(3, impl="threefry2x32"), k)


def test_split_and_fold_in_values():
    keys = np.asarray(random.split(KEY, 3))
    assert keys.shape == (3, 2) and keys.dtype == np.uint32
    # split is the hash of the counters (0, i): the iota layout
    for i in range(3):
        assert tuple(keys[i]) == _threefry_reference((0, 0), (0, i))
    assert np.asarray(random.split(KEY, (2, 3))).shape == (2, 3, 2)
    assert np.asarray(random.split(KEY, 0)).shape == (0, 2)
    same(random.fold_in(KEY, 7), np.array(_threefry_reference((0, 0), (0, 7)), np.uint32))
    same(random.fold_in(KEY, np.int32(-1)), random.fold_in(KEY, 2**32 - 1))


@pytest.mark.parametrize("num", [2, 3, 7, (2, 3), (1,), (2, 0)])
def test_split_matches_jax(num):
    jax = pytest.importorskip("jax")
    for seed in (0, 1, 12345):
        same(random.split(random.PRNGKey(seed), num), jax.random.split(jax.random.PRNGKey(seed), num))


@given(st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1))
@settings(max_examples=20, deadline=None)
def test_fold_in_matches_jax(seed, data):
    jax = pytest.importorskip("jax")
    same(random.fold_in(random.PRNGKey(seed), data),
         jax.random.fold_in(jax.random.PRNGKey(seed), data))


# ----------------------------------------------------------------------------- bits

SHAPES = [(), (1,), (5,), (7, 3), (0,), (2, 0, 3), (4, 1, 3), (1001,)]


@pytest.mark.parametrize("shape", SHAPES)
def test_bits_matches_jax(shape):
    jax = pytest.importorskip("jax")
    for seed in (0, 3):
        k, kj = random.PRNGKey(seed), jax.random.PRNGKey(seed)
        same(random.bits(k, shape), jax.random.bits(kj, shape))
        for dt in ("uint8", "uint16"):
            same(random.bits(k, shape, dt), jax.random.bits(kj, shape, dt))


def test_bits_partitionable_layout():
    """Counters run over the flattened shape: a bigger draw extends a smaller one."""
    flat = np.asarray(random.bits(KEY, (12,)))
    same(random.bits(KEY, (3, 4)), flat.reshape(3, 4))
    same(random.bits(KEY, (5,)), flat[:5])
    # 8/16-bit draws are the low bits of the 32-bit words
    same(random.bits(KEY, (12,), jnp.uint8), (flat & 0xFF).astype(np.uint8))
    same(random.random_bits(KEY, 16, (12,)), (flat & 0xFFFF).astype(np.uint16))


def test_bits_64_x64():
    jax = pytest.importorskip("jax")
    with both_x64(jax):
        for shape in [(), (5,), (3, 4)]:
            out = random.bits(KEY, shape)
            assert out.dtype == np.uint64
            same(out, jax.random.bits(jax.random.PRNGKey(0), shape))
            same(random.bits(KEY, shape, jnp.uint32), jax.random.bits(jax.random.PRNGKey(0), shape, "uint32"))


# ----------------------------------------------------------------------------- XLA's float math

def _float32_probe():
    rng = np.random.default_rng(0)
    specials = np.array([0, -0.0, 1, -1, 0.5, -0.5, 2, 1e-30, -1e-30, 1e-40, -1e-40, 3.4e38,
                         np.inf, -np.inf, np.nan], np.float32)
    return np.concatenate([
        rng.integers(0, 2**32, 60000, dtype=np.uint64).astype(np.uint32).view(np.float32),
        rng.uniform(-1, 1, 60000).astype(np.float32),
        (1 - rng.uniform(0, 1, 20000) ** 6).astype(np.float32),
        rng.uniform(-5, 5, 20000).astype(np.float32), specials])


@pytest.mark.parametrize("name", ["log", "log1p", "erf", "erf_inv"])
def test_xla_kernels_bit_exact(name):
    """The float32 kernels behind normal/truncated_normal/gumbel equal XLA's, and so
    do their float16 versions on every float16 value."""
    jax = pytest.importorskip("jax")
    ours = {"log": random._log, "log1p": random._log1p, "erf": random._erf,
            "erf_inv": random._erf_inv}[name]
    theirs = getattr(jax.lax, name)
    x = _float32_probe()
    same(ours(x), theirs(x))
    h = np.arange(0, 0x7C01, dtype=np.uint16).view(np.float16)
    h = np.concatenate([h, -h])
    same(ours(h), theirs(h))


def test_fma_is_correctly_rounded():
    rng = np.random.default_rng(1)
    a, b, c = (rng.standard_normal(20000) * 10.0 ** rng.integers(-3, 4, 20000) for _ in range(3))
    for dt in (F32, F16):
        a_, b_, c_ = (v.astype(dt) for v in (a, b, c))
        exact = a_.astype(np.float64) * b_.astype(np.float64) + c_.astype(np.float64)
        if dt == F32:  # the float64 sum can be off in its last bit: compare in ulps of float32
            got = np.asarray(random._fma(a_, b_, c_)).astype(np.float64)
            assert np.all(np.abs(got - exact) <= np.spacing(np.abs(got).astype(dt)) / 2)
        else:  # float16 operands: float64 is exact
            with np.errstate(over="ignore"):
                same(random._fma(a_, b_, c_), exact.astype(dt))


# ----------------------------------------------------------------------------- samplers vs JAX

def _jax_and_ours():
    return {
        "uniform": lambda r, k: r.uniform(k, (1000,)),
        "uniform f16": lambda r, k: r.uniform(k, (500,), "float16"),
        "uniform bounds": lambda r, k: r.uniform(k, (700,), minval=-3.0, maxval=5.5),
        "uniform odd bounds": lambda r, k: r.uniform(k, (700,), minval=0.1, maxval=0.7),
        "uniform f16 bounds": lambda r, k: r.uniform(k, (300,), "float16", 0.1, 0.7),
        "uniform array bounds": lambda r, k: r.uniform(
            k, (40, 3), minval=np.array([0.1, -2.0, 3.3], np.float32), maxval=7.7),
        "normal": lambda r, k: r.normal(k, (2000,)),
        "normal 2d": lambda r, k: r.normal(k, (3, 7)),
        "normal f16": lambda r, k: r.normal(k, (500,), "float16"),
        "truncated_normal": lambda r, k: r.truncated_normal(k, -1.5, 2.3, (700,)),
        "truncated_normal tail": lambda r, k: r.truncated_normal(k, 2.5, 4.0, (300,)),
        "truncated_normal f16": lambda r, k: r.truncated_normal(k, -1.0, 0.5, (300,), "float16"),
        "truncated_normal broadcast": lambda r, k: r.truncated_normal(
            k, np.array([-3.0, 0.2, -0.5], np.float32), np.array([[1.0], [3.0]], np.float32)),
        "randint": lambda r, k: r.randint(k, (500,), 0, 10),
        "randint negative": lambda r, k: r.randint(k, (500,), -5, 5),
        "randint full int32": lambda r, k: r.randint(k, (200,), -2**31, 2**31 - 1),
        "randint empty range": lambda r, k: r.randint(k, (20,), 5, 2),
        "randint uint8 full": lambda r, k: r.randint(k, (300,), 0, 256, "uint8"),
        "randint int8": lambda r, k: r.randint(k, (300,), -128, 128, "int8"),
        "randint int16": lambda r, k: r.randint(k, (300,), -1000, 7, "int16"),
        "randint uint32": lambda r, k: r.randint(k, (300,), 0, np.uint32(2**32 - 1), "uint32"),
        "randint uint16 clipped": lambda r, k: r.randint(k, (300,), 3, 70000, "uint16"),
        "randint array bounds": lambda r, k: r.randint(k, (4, 3), np.array([0, -10, 5]), 20),
        "bernoulli": lambda r, k: r.bernoulli(k, 0.3, (500,)),
        "bernoulli array p": lambda r, k: r.bernoulli(k, np.array([0.1, 0.5, 0.9], np.float32)),
        "bernoulli high": lambda r, k: r.bernoulli(k, 1e-8, (200,), mode="high"),
        "rademacher": lambda r, k: r.rademacher(k, (300,)),
        "rademacher f32": lambda r, k: r.rademacher(k, (30,), "float32"),
        "permutation 0": lambda r, k: r.permutation(k, 0),
        "permutation 1": lambda r, k: r.permutation(k, 1),
        "permutation 10": lambda r, k: r.permutation(k, 10),
        "permutation 2000 (two rounds)": lambda r, k: r.permutation(k, 2000),
        "permutation array": lambda r, k: r.permutation(k, np.arange(60).reshape(3, 4, 5), 1),
        "permutation independent": lambda r, k: r.permutation(
            k, np.arange(60).reshape(3, 4, 5), 2, independent=True),
        "permutation floats": lambda r, k: r.permutation(k, np.linspace(0, 1, 9, dtype=np.float32)),
        "choice": lambda r, k: r.choice(k, 10, (20,)),
        "choice no replace": lambda r, k: r.choice(k, 10, (2, 3), replace=False),
        "choice p": lambda r, k: r.choice(k, 5, (50,), p=np.array([.1, .2, .3, .05, .35], np.float32)),
        "choice long p": lambda r, k: r.choice(
            k, 1000, (300,), p=np.random.default_rng(0).random(1000).astype(np.float32)),
        "choice p no replace": lambda r, k: r.choice(
            k, 5, (3,), replace=False, p=np.array([.1, .2, .3, .05, .35], np.float32)),
        "choice p no replace high": lambda r, k: r.choice(
            k, 5, (3,), replace=False, p=np.array([.1, .2, .3, .05, .35], np.float32), mode="high"),
        "choice array axis": lambda r, k: r.choice(k, np.arange(60).reshape(3, 4, 5), (2,), axis=1),
        "choice array no replace": lambda r, k: r.choice(
            k, np.arange(60).reshape(3, 4, 5), (3,), replace=False, axis=2),
        "choice empty": lambda r, k: r.choice(k, 5, (0,)),
        "categorical": lambda r, k: r.categorical(k, LOGITS),
        "categorical shape": lambda r, k: r.categorical(k, LOGITS, shape=(20, 4)),
        "categorical axis 0": lambda r, k: r.categorical(k, LOGITS, axis=0),
        "categorical no replace": lambda r, k: r.categorical(k, LOGITS, shape=(3, 4), replace=False),
        "categorical high": lambda r, k: r.categorical(k, LOGITS, shape=(6, 4), mode="high"),
        "categorical highest": lambda r, k: r.categorical(k, LOGITS, shape=(6, 4), mode="highest"),
        "categorical f16": lambda r, k: r.categorical(k, LOGITS.astype(np.float16), shape=(6, 4)),
    }


LOGITS = np.log(np.random.default_rng(0).dirichlet(np.ones(7), size=(4,))).astype(np.float32)
CASES = _jax_and_ours()


@pytest.mark.parametrize("name", sorted(CASES))
def test_sampler_matches_jax(name):
    jax = pytest.importorskip("jax")
    f = CASES[name]
    for seed in (0, 1, 2**33 + 17):
        same(f(random, random.PRNGKey(seed)), f(jax.random, jax.random.PRNGKey(seed)))


def test_gumbel_kernel_matches_jax():
    """The Gumbel sampler behind categorical/choice (all three modes)."""
    jax = pytest.importorskip("jax")
    for mode in ("low", "high", "highest"):
        for dt in ([F32, F16] if mode == "low" else [F32]):
            same(random._gumbel(KEY, (2000,), dt, mode),
                 jax.random.gumbel(jax.random.PRNGKey(0), (2000,), dt, mode=mode))


@given(st.integers(0, 2**32 - 1),
       st.lists(st.integers(0, 6), min_size=0, max_size=3).map(tuple),
       st.sampled_from(["bits", "uniform", "normal", "randint", "bernoulli"]))
@settings(max_examples=12, deadline=None)
def test_random_keys_and_shapes_match_jax(seed, shape, fn):
    jax = pytest.importorskip("jax")
    call = {
        "bits": lambda r, k: r.bits(k, shape),
        "uniform": lambda r, k: r.uniform(k, shape, minval=-2.0, maxval=0.3),
        "normal": lambda r, k: r.normal(k, shape),
        "randint": lambda r, k: r.randint(k, shape, -7, 1000),
        "bernoulli": lambda r, k: r.bernoulli(k, 0.7, shape),
    }[fn]
    same(call(random, random.PRNGKey(seed)), call(jax.random, jax.random.PRNGKey(seed)))


def test_x64_samplers():
    jax = pytest.importorskip("jax")
    with both_x64(jax):
        k, kj = random.PRNGKey(2**40 + 3), jax.random.PRNGKey(2**40 + 3)
        same(random.uniform(k, (500,)), jax.random.uniform(kj, (500,)))
        same(random.uniform(k, (500,), minval=0.1, maxval=0.7),
             jax.random.uniform(kj, (500,), minval=0.1, maxval=0.7))
        same(random.randint(k, (300,), -2**40, 2**50), jax.random.randint(kj, (300,), -2**40, 2**50))
        same(random.randint(k, (300,), 0, np.uint64(2**63), "uint64"),
             jax.random.randint(kj, (300,), 0, np.uint64(2**63), "uint64"))
        same(random.permutation(k, 50), jax.random.permutation(kj, 50))
        same(random.normal(k, (300,), "float32"), jax.random.normal(kj, (300,), "float32"))
        # float64 erf_inv / erf are tinyjax's own, not XLA's: close, not bit-exact
        np.testing.assert_allclose(random.normal(k, (500,)), jax.random.normal(kj, (500,)),
                                   rtol=1e-13)
        np.testing.assert_allclose(random.truncated_normal(k, -1.0, 2.0, (500,)),
                                   jax.random.truncated_normal(kj, -1.0, 2.0, (500,)), rtol=1e-12)


# ----------------------------------------------------------------------------- statistics (no JAX)

def test_uniform_and_normal_statistics():
    u = np.asarray(random.uniform(KEY, (20000,), minval=2.0, maxval=5.0))
    assert u.min() >= 2.0 and u.max() < 5.0
    assert abs(u.mean() - 3.5) < 0.03 and abs(u.var() - 0.75) < 0.03
    z = np.asarray(random.normal(random.PRNGKey(1), (20000,)))
    assert abs(z.mean()) < 0.03 and abs(z.std() - 1) < 0.03
    assert abs(np.mean(np.abs(z) < 1) - 0.6827) < 0.01
    t = np.asarray(random.truncated_normal(random.PRNGKey(2), -0.5, 1.5, (20000,)))
    assert t.min() > -0.5 and t.max() < 1.5
    assert abs(t.mean() - 0.3563) < 0.02  # (phi(-0.5) - phi(1.5)) / (Phi(1.5) - Phi(-0.5))


def test_discrete_statistics():
    r = np.asarray(random.randint(KEY, (30000,), -3, 4))
    assert set(np.unique(r)) == set(range(-3, 4))
    assert np.all(np.abs(np.bincount(r + 3) / r.size - 1 / 7) < 0.01)
    b = np.asarray(random.bernoulli(KEY, 0.25, (30000,)))
    assert b.dtype == np.bool_ and abs(b.mean() - 0.25) < 0.01
    s = np.asarray(random.rademacher(KEY, (30000,)))
    assert set(np.unique(s)) == {-1, 1} and abs(s.mean()) < 0.02
    p = np.array([0.1, 0.6, 0.3], np.float32)
    c = np.asarray(random.choice(KEY, 3, (30000,), p=p))
    assert np.all(np.abs(np.bincount(c, minlength=3) / c.size - p) < 0.01)
    g = np.asarray(random.categorical(KEY, np.log(p), shape=(30000,)))
    assert np.all(np.abs(np.bincount(g, minlength=3) / g.size - p) < 0.01)


def test_permutations_and_choices_are_valid():
    for n in (1, 2, 17, 2000):
        perm = np.asarray(random.permutation(random.PRNGKey(n), n))
        np.testing.assert_array_equal(np.sort(perm), np.arange(n))
    x = np.arange(20).reshape(4, 5)
    rows = np.asarray(random.permutation(KEY, x, axis=0))
    assert sorted(map(tuple, rows)) == sorted(map(tuple, x))
    ind = np.asarray(random.permutation(KEY, x, axis=1, independent=True))
    np.testing.assert_array_equal(np.sort(ind, axis=1), x)
    np.testing.assert_array_equal(np.asarray(random.shuffle(KEY, x, 1)), ind)
    picks = np.asarray(random.choice(KEY, 50, (10,), replace=False))
    assert len(set(picks)) == 10 and picks.max() < 50
    no_rep = np.asarray(random.categorical(KEY, np.zeros((3, 8)), shape=(8, 3), replace=False))
    np.testing.assert_array_equal(np.sort(no_rep, axis=0), np.tile(np.arange(8)[:, None], 3))


def test_determinism_and_independence():
    for f in (lambda k: random.normal(k, (50,)), lambda k: random.bits(k, (50,)),
              lambda k: random.permutation(k, 50)):
        same(f(KEY), f(random.PRNGKey(0)))
        assert not np.array_equal(np.asarray(f(KEY)), np.asarray(f(random.PRNGKey(1))))
    k1, k2 = random.split(KEY)
    assert not np.array_equal(np.asarray(random.bits(k1, (8,))), np.asarray(random.bits(k2, (8,))))


# ----------------------------------------------------------------------------- transformations

VMAP_CASES = {
    "bits": lambda k: random.bits(k, (2, 3)),
    "split": lambda k: random.split(k, 3),
    "fold_in": lambda k: random.fold_in(k, 5),
    "uniform": lambda k: random.uniform(k, (3,), minval=0.1, maxval=0.7),
    "normal": lambda k: random.normal(k, (3,)),
    "truncated_normal": lambda k: random.truncated_normal(k, -1.0, 2.0, (3,)),
    "randint": lambda k: random.randint(k, (4,), 0, 10),
    "bernoulli": lambda k: random.bernoulli(k, 0.3, (4,)),
    "rademacher": lambda k: random.rademacher(k, (3,)),
    "permutation": lambda k: random.permutation(k, 10),
    "choice": lambda k: random.choice(k, 10, (3,), replace=False),
    "choice p": lambda k: random.choice(k, 4, (3,), p=jnp.array([0.1, 0.2, 0.3, 0.4])),
    "categorical": lambda k: random.categorical(k, jnp.zeros((2, 5)), shape=(4, 2)),
}


@pytest.mark.parametrize("name", sorted(VMAP_CASES))
def test_vmap_over_keys_equals_loop(name):
    f = VMAP_CASES[name]
    keys = random.split(random.PRNGKey(7), 5)
    loop = np.stack([np.asarray(f(keys[i])) for i in range(5)])
    same(tinyjax.vmap(f)(keys), loop)


@pytest.mark.parametrize("name", sorted(VMAP_CASES))
def test_make_jaxpr_traces(name):
    f = VMAP_CASES[name]
    closed = tinyjax.make_jaxpr(f)(KEY)
    expected = np.asarray(f(KEY))
    (aval,) = closed.out_avals
    assert aval.shape == expected.shape and aval.dtype == expected.dtype


def test_vmap_over_seeds_and_bounds():
    same(tinyjax.vmap(random.PRNGKey)(jnp.arange(3)),
         np.stack([np.asarray(random.PRNGKey(i)) for i in range(3)]))
    lo = jnp.array([0.0, 1.0, -4.0])
    out = tinyjax.vmap(lambda m: random.uniform(KEY, (4,), minval=m, maxval=m + 2.0))(lo)
    same(out, np.stack([np.asarray(random.uniform(KEY, (4,), minval=m, maxval=m + 2.0))
                        for m in (0.0, 1.0, -4.0)]))


def test_gradients_with_respect_to_bounds():
    g = tinyjax.grad(lambda lo, hi: random.uniform(KEY, (5,), minval=lo, maxval=hi).sum(),
                     argnums=(0, 1))(0.3, 2.0)
    u = np.asarray(random.uniform(KEY, (5,)))
    np.testing.assert_allclose(g, (np.sum(1 - u), np.sum(u)), rtol=1e-6)
    jax = pytest.importorskip("jax")
    gt = tinyjax.grad(lambda lo: random.truncated_normal(KEY, lo, 2.0, (5,)).sum())(-1.0)
    gj = jax.grad(lambda lo: jax.random.truncated_normal(jax.random.PRNGKey(0), lo, 2.0, (5,)).sum())(-1.0)
    np.testing.assert_allclose(gt, gj, rtol=1e-5)


# ----------------------------------------------------------------------------- errors

@pytest.mark.parametrize("call,exc,match", [
    (lambda: random.PRNGKey(2**64), OverflowError, "does not fit in 64 bits"),
    (lambda: random.PRNGKey(1.0), TypeError, "seed must be an integer"),
    (lambda: random.PRNGKey(np.array([1, 2])), TypeError, "accepts a scalar seed"),
    (lambda: random.uniform(jnp.zeros(2, jnp.int32)), TypeError, "expected dtype uint32"),
    (lambda: random.uniform(jnp.zeros(3, jnp.uint32)), TypeError, r"ending in \(2,\)"),
    (lambda: random.normal(random.split(KEY, 3)), ValueError, "accepts a single key"),
    (lambda: random.split(random.split(KEY)), ValueError, "Use tinyjax.vmap"),
    (lambda: random.fold_in(KEY, jnp.arange(3)), TypeError, "accepts a scalar"),
    (lambda: random.fold_in(KEY, -1), OverflowError, "out of bounds for uint32"),
    (lambda: random.bits(KEY, dtype=jnp.int32), ValueError, "unsigned int dtype"),
    (lambda: random.random_bits(KEY, 12, (2,)), TypeError, "8, 16, 32 or 64"),
    (lambda: random.random_bits(KEY, 64, (2,)), TypeError, "jax_enable_x64"),
    (lambda: random.uniform(KEY, dtype=jnp.int32), ValueError, "must be a float dtype"),
    (lambda: random.normal(KEY, dtype=jnp.uint8), ValueError, "must be a float dtype"),
    (lambda: random.randint(KEY, (2,), 0, 5, dtype=jnp.float32), TypeError, "integer dtypes"),
    (lambda: random.randint(KEY, (2,), jnp.zeros(3, jnp.int32), 5), ValueError,
     "broadcast-compatible"),
    (lambda: random.bernoulli(KEY, 1), TypeError, "floating dtype"),
    (lambda: random.bernoulli(KEY, jnp.ones(3) * 0.5, (2, 2)), ValueError, "broadcast-compatible"),
    (lambda: random.bernoulli(KEY, mode="mid"), ValueError, "expected 'high' or 'low'"),
    (lambda: random.choice(KEY, 5, 3), TypeError, "must be a sequence"),
    (lambda: random.choice(KEY, 3, (4,), replace=False), ValueError, "larger sample"),
    (lambda: random.choice(KEY, 0, (4,)), ValueError, "greater than 0"),
    (lambda: random.choice(KEY, 5, (2,), p=jnp.ones(4)), ValueError, "p must be None or a 1D"),
    (lambda: random.choice(KEY, 5, (2,), replace=False, p=jnp.ones(5), mode="x"), ValueError,
     "valid mode"),
    (lambda: random.permutation(KEY, 3.0), TypeError, "integer or at least 1-dimensional"),
    (lambda: random.categorical(KEY, jnp.zeros(3), shape=(4,), replace=False), ValueError,
     "cannot exceed number of categories"),
    (lambda: random.split(KEY, -1), ValueError, "negative dimension"),
    (lambda: random.key(0, impl="rbg"), ValueError, "threefry2x32"),
    (lambda: random.threefry_2x32((np.int32(0), np.int32(0)), np.zeros(2, np.uint32)), TypeError,
     "uint32 arguments"),
])
def test_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_permutation_of_traced_int_needs_a_static_value():
    with pytest.raises(tinyjax.errors.ConcretizationTypeError):
        tinyjax.make_jaxpr(lambda n: random.permutation(KEY, n))(3)


def test_huge_shapes_are_refused_before_allocating():
    with pytest.raises(ValueError, match="2\\*\\*32"):
        tinyjax.make_jaxpr(lambda k: random.bits(k, (2**16, 2**16)))(KEY)
    assert math.prod((2**16, 2**16)) == 2**32
