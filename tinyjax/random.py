"""tinyjax.random: JAX's default pseudo-random number generator, bit for bit.

Keys are raw ``uint32[2]`` arrays (what ``jax.random.PRNGKey`` returns); every
sampler is built from the Threefry-2x32 hash with JAX's *partitionable* counter
layout (``jax_threefry_partitionable=True``, JAX's default since 0.5), so the
same key gives the same numbers as JAX 0.10.2 on CPU:

>>> import tinyjax.random as random
>>> random.uniform(random.PRNGKey(0), (3,))  # doctest: +SKIP
Array([0.947667  , 0.9785799 , 0.33229148], dtype=float32)

Everything is written with `tinyjax.lax` / `tinyjax.numpy`, so samplers trace
(`make_jaxpr`), batch over keys (`vmap`) and differentiate with respect to their
float parameters (`uniform`'s bounds, `truncated_normal`'s bounds).

Bit-exactness goes one level below the algorithms: XLA's CPU code evaluates
`log`, `log1p`, `erf` and `erf_inv` in float32 with its own polynomials and fuses
multiply-adds into FMA instructions. The section "XLA's float32 math" below
reproduces those kernels operation for operation (with an exact FMA emulation),
which is what makes `normal`, `truncated_normal`, `uniform(minval, maxval)` and
the Gumbel-based samplers match JAX to the last bit. float16 follows, as XLA
computes those functions in float32. float64 (x64 mode) uses tinyjax's own
`lax.erf_inv` / `lax.erf` / `lax.log`, which differ from XLA's float64 kernels
in the last bits (erf_inv by up to ~2e-12 relative), so float64 `normal`,
`truncated_normal` and Gumbel draws are close but not bit-identical.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from . import lax
from . import numpy as jnp
from .core import dtypes
from .core.array import Array
from .custom_derivatives import custom_jvp
from .lax._base import canonical_axis, canonical_shape

__all__ = [
    "PRNGKey", "bernoulli", "bits", "categorical", "choice", "clone", "fold_in", "key",
    "key_data", "key_impl", "normal", "permutation", "rademacher", "randint", "random_bits",
    "shuffle", "split", "threefry_2x32", "truncated_normal", "uniform", "wrap_key_data",
]

_UINT_DTYPES = {8: np.dtype(np.uint8), 16: np.dtype(np.uint16), 32: np.dtype(np.uint32),
                64: np.dtype(np.uint64)}


def _u32(v):
    return np.uint32(v)


def _const(x, v):
    """A scalar constant of `x`'s dtype."""
    return np.array(v, dtype=jnp.result_type(x))


# ============================================================================ keys

def _check_key(name: str, key, allow_batched: bool = False):
    """Validate a raw key (uint32 with trailing dimension 2) and return it as an array."""
    key = jnp.asarray(key)
    if key.dtype != np.uint32:
        raise TypeError(f"{name}: invalid PRNG key data: expected dtype uint32, got "
                        f"{key.dtype}. Create keys with tinyjax.random.PRNGKey(seed).")
    if key.shape[-1:] != (2,):
        raise TypeError(f"{name}: invalid PRNG key data: expected a shape ending in (2,), "
                        f"got {key.shape}. Create keys with tinyjax.random.PRNGKey(seed).")
    if not allow_batched and key.ndim != 1:
        raise ValueError(f"{name} accepts a single key, but was given a key array of shape "
                         f"{key.shape} != (). Use tinyjax.vmap for batching.")
    return key


def _key_words(key):
    return (lax.index_in_dim(key, 0, keepdims=False),
            lax.index_in_dim(key, 1, keepdims=False))


def _stack_last(a, b):
    axis = jnp.ndim(a)
    return lax.concatenate([lax.expand_dims(a, (axis,)), lax.expand_dims(b, (axis,))], axis)


def _seed_key(ctor: str, seed):
    if isinstance(seed, int) and not isinstance(seed, np.generic):
        # As JAX: Python ints go through int64 (OverflowError beyond it), then take the
        # default int dtype, so without x64 a seed keeps its low 32 bits.
        if not -2 ** 63 <= seed < 2 ** 63:
            raise OverflowError(f"{ctor} seed {seed} does not fit in 64 bits")
        seed = np.int64(seed)
    if jnp.ndim(seed):
        raise TypeError(f"{ctor} accepts a scalar seed, but was given an array of shape "
                        f"{jnp.shape(seed)} != (). Use tinyjax.vmap for batching")
    seed = jnp.asarray(seed)
    if not dtypes.is_int(seed.dtype):
        raise TypeError(f"PRNG key seed must be an integer; got {seed!r}")
    # The key is the seed's 64 bits as (high word, low word); narrower seeds have
    # a zero high word (a logical shift by >= the bit width gives 0).
    hi = lax.convert_element_type(lax.shift_right_logical(seed, _const(seed, 32)), np.uint32)
    lo = lax.convert_element_type(seed, np.uint32)
    return _stack_last(hi, lo)


def PRNGKey(seed) -> Array:
    """A raw PRNG key, ``uint32[2]``, from an integer seed (as ``jax.random.PRNGKey``).

    The key holds the seed's 64 bits as (high word, low word). Python ints beyond
    int64 raise OverflowError; without x64 a seed keeps its low 32 bits, as in JAX.

    >>> PRNGKey(42)  # doctest: +SKIP
    Array([ 0, 42], dtype=uint32)
    """
    return _seed_key("PRNGKey", seed)


def key(seed, *, impl=None) -> Array:
    """A PRNG key from an integer seed (as ``jax.random.key``).

    tinyjax has no typed key arrays: this returns the same ``uint32[2]`` array as
    `PRNGKey`, and `key_data` / `wrap_key_data` convert between the two trivially.

    >>> key_data(key(1))  # doctest: +SKIP
    Array([0, 1], dtype=uint32)
    """
    _check_impl(impl)
    return _seed_key("key", seed)


def _check_impl(impl):
    if impl not in (None, "threefry2x32"):
        raise ValueError(f'unrecognized PRNG implementation "{impl}". tinyjax implements '
                         f'only "threefry2x32".')


def key_data(keys) -> Array:
    """The ``uint32`` data of a key array (its trailing dimension holds the 2 words).

    >>> key_data(PRNGKey(3))  # doctest: +SKIP
    Array([0, 3], dtype=uint32)
    """
    return _check_key("key_data", keys, allow_batched=True)


def wrap_key_data(key_bits_array, *, impl=None) -> Array:
    """Key data (``uint32[..., 2]``) as a key array; the inverse of `key_data`.

    >>> wrap_key_data(key_data(PRNGKey(3)))  # doctest: +SKIP
    Array([0, 3], dtype=uint32)
    """
    _check_impl(impl)
    return _check_key("wrap_key_data", key_bits_array, allow_batched=True)


def key_impl(keys) -> str:
    """The name of the keys' PRNG implementation: always ``'threefry2x32'``.

    >>> key_impl(PRNGKey(0))
    'threefry2x32'
    """
    _check_key("key_impl", keys, allow_batched=True)
    return "threefry2x32"


def clone(key):
    """A copy of `key` for deliberate reuse; the identity, as in JAX outside of
    key-reuse checking.

    >>> clone(PRNGKey(0))  # doctest: +SKIP
    Array([0, 0], dtype=uint32)
    """
    return key


# ============================================================================ threefry

_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))


def _rotate_left(x, r: int):
    return lax.bitwise_or(lax.shift_left(x, _u32(r)), lax.shift_right_logical(x, _u32(32 - r)))


def _threefry2x32(k1, k2, x1, x2):
    """The Threefry-2x32 block cipher (20 rounds) of counters (x1, x2) under key (k1, k2).

    All arguments are uint32; lax's scalar broadcasting lets any of them be rank 0.
    """
    ks = (k1, k2, lax.bitwise_xor(lax.bitwise_xor(k1, k2), _u32(0x1BD11BDA)))
    x1 = lax.add(x1, ks[0])
    x2 = lax.add(x2, ks[1])
    for i in range(5):
        for r in _ROTATIONS[i % 2]:
            x1 = lax.add(x1, x2)
            x2 = lax.bitwise_xor(x1, _rotate_left(x2, r))
        x1 = lax.add(x1, ks[(i + 1) % 3])
        x2 = lax.add(x2, lax.add(ks[(i + 2) % 3], _u32(i + 1)))  # key word + round number
    return x1, x2


def threefry_2x32(keypair, count) -> Array:
    """Apply the Threefry-2x32 hash to a uint32 array of counts (``jax.prng.threefry_2x32``).

    `keypair` is a key (``uint32[2]``) or a pair of uint32 scalars. The flattened
    counts are split in two halves (zero-padded to even length) that form the
    cipher's two input words; the output has the shape of `count`.

    >>> threefry_2x32(PRNGKey(0), jnp.arange(4, dtype=jnp.uint32))  # doctest: +SKIP
    Array([4146024105,  967050713, 2718843009, 1272950319], dtype=uint32)
    """
    if isinstance(keypair, (tuple, list)):
        k1, k2 = (jnp.asarray(k) for k in keypair)
    else:
        k1, k2 = _key_words(_check_key("threefry_2x32", keypair))
    count = jnp.asarray(count)
    if not (k1.dtype == k2.dtype == count.dtype == np.uint32):
        raise TypeError(f"threefry_2x32 requires uint32 arguments, got "
                        f"{[str(x.dtype) for x in (k1, k2, count)]}")
    flat = lax.reshape(count, (count.size,))
    odd = count.size % 2
    if odd:
        flat = lax.concatenate([flat, lax.full((1,), 0, np.uint32)], 0)
    half = flat.shape[0] // 2
    y1, y2 = _threefry2x32(k1, k2, lax.slice(flat, (0,), (half,)),
                           lax.slice(flat, (half,), (2 * half,)))
    out = lax.concatenate([y1, y2], 0)
    if odd:
        out = lax.slice(out, (0,), (count.size,))
    return lax.reshape(out, count.shape)


def _hash_iota(key, shape: tuple):
    """Both cipher words for the counters 0 .. size-1 laid out in `shape` (row-major).

    This is JAX's partitionable layout: the 64-bit flat index is the counter pair
    (high word, low word). The high word is 0 for any array that fits in memory.
    """
    size = math.prod(shape)
    if size >= 2 ** 32:
        raise ValueError(f"random arrays with 2**32 or more elements are not supported; "
                         f"got shape {shape}")
    k1, k2 = _key_words(key)
    lo = lax.reshape(lax.iota(np.uint32, size), shape)
    return _threefry2x32(k1, k2, _u32(0), lo)


def _random_bits(key, bit_width: int, shape: tuple):
    if bit_width not in _UINT_DTYPES:
        raise TypeError(f"random_bits requires a bit width of 8, 16, 32 or 64, got {bit_width}")
    dtype = _UINT_DTYPES[bit_width]
    if dtypes.canonicalize_dtype(dtype) != dtype:
        raise TypeError("64-bit random bits need 64-bit types: enable them with "
                        "tinyjax.config.update('jax_enable_x64', True)")
    b1, b2 = _hash_iota(key, shape)
    if bit_width == 64:
        hi = lax.convert_element_type(b1, dtype)
        return lax.bitwise_or(lax.shift_left(hi, np.uint64(32)), lax.convert_element_type(b2, dtype))
    return lax.convert_element_type(lax.bitwise_xor(b1, b2), dtype)


def random_bits(key, bit_width: int, shape) -> Array:
    """Uniform random bits as unsigned integers of `bit_width` (8, 16, 32 or 64) bits.

    >>> random_bits(PRNGKey(0), 8, (3,))  # doctest: +SKIP
    Array([167, 146,  40], dtype=uint8)
    """
    return _random_bits(_check_key("random_bits", key), int(bit_width),
                        canonical_shape(shape))


def split(key, num=2) -> Array:
    """Split a key into `num` new keys (`num` may also be a shape), stacked on a leading axis.

    >>> split(PRNGKey(0))  # doctest: +SKIP
    Array([[1797259609, 2579123966],
           [ 928981903, 3453687069]], dtype=uint32)
    """
    key = _check_key("split", key)
    shape = tuple(num) if isinstance(num, Sequence) else (num,)
    return _stack_last(*_hash_iota(key, canonical_shape(shape, "num")))


def _split2(key):
    keys = split(key)
    return lax.index_in_dim(keys, 0, keepdims=False), lax.index_in_dim(keys, 1, keepdims=False)


def fold_in(key, data) -> Array:
    """A new key that is a deterministic function of `key` and the 32-bit integer `data`.

    >>> fold_in(PRNGKey(0), 7)  # doctest: +SKIP
    Array([2716826189,  292468403], dtype=uint32)
    """
    key = _check_key("fold_in", key)
    if jnp.ndim(data):
        raise TypeError(f"fold_in accepts a scalar, but was given an array of shape "
                        f"{jnp.shape(data)} != (). Use tinyjax.vmap for batching.")
    if isinstance(data, int) and not isinstance(data, np.generic):
        if not 0 <= data < 2 ** 32:
            raise OverflowError(f"Python integer {data} out of bounds for uint32")
        data = np.uint32(data)
    data = lax.convert_element_type(jnp.asarray(data), np.uint32)
    k1, k2 = _key_words(key)
    # JAX hashes the counts (0, data): the data as a 64-bit seed, high word first.
    return _stack_last(*_threefry2x32(k1, k2, _u32(0), data))


# ============================================================================ XLA's float32 math
#
# XLA's CPU backend evaluates these functions in float32 with its own
# polynomials, and LLVM fuses each multiply whose only use is an add into an FMA
# (XLA allows FP contraction). The kernels below follow the instructions of the
# compiled code one for one: `_fma` where it has an FMA, separate ops where it
# has separate ones. Denormal inputs, which XLA flushes to zero, are not flushed
# here except where noted.

def _f32(bits: int):
    return np.uint32(bits).view(np.float32)


def _two_sum(a, b):
    """s + e == a + b exactly, with s = a + b rounded (Knuth)."""
    s = lax.add(a, b)
    bb = lax.sub(s, a)
    return s, lax.add(lax.sub(a, lax.sub(s, bb)), lax.sub(b, bb))


def _veltkamp_split(a):
    dt = jnp.result_type(a)
    c = lax.mul(a, _const(a, 4097.0 if dt == np.float32 else 134217729.0))
    hi = lax.sub(c, lax.sub(c, a))
    return hi, lax.sub(a, hi)


def _two_prod(a, b):
    """p + e == a * b exactly, with p = a * b rounded (Dekker)."""
    p = lax.mul(a, b)
    ah, al = _veltkamp_split(a)
    bh, bl = _veltkamp_split(b)
    e = lax.add(lax.add(lax.add(lax.sub(lax.mul(ah, bh), p), lax.mul(ah, bl)),
                        lax.mul(al, bh)), lax.mul(al, bl))
    return p, e


def _round_to_odd(v, w):
    """The exact sum v + w (|w| at most half an ulp of v) rounded to odd: v if exact,
    else whichever of v and its neighbour towards w has an odd last bit."""
    ui = _UINT_DTYPES[8 * jnp.result_type(v).itemsize]
    even = lax.eq(lax.bitwise_and(lax.bitcast_convert_type(v, ui), np.array(1, ui)),
                  np.array(0, ui))
    toward = lax.select(lax.gt(w, _const(w, 0)), lax.full_like(v, np.inf),
                        lax.full_like(v, -np.inf))
    move = lax.bitwise_and(even, lax.ne(w, _const(w, 0)))
    return lax.select(move, lax.nextafter(v, toward), v)


def _fma_impl(a, b, c):
    # Rounding to odd in a format with at least two more bits, then to nearest,
    # rounds correctly (Boldo & Melquiond, "Emulation of FMA and correctly rounded
    # sums: proved algorithms using rounding to odd", 2008).
    dt = jnp.result_type(a)
    if dt == np.float16:
        # a * b is exact in float32; only the sum with c needs care.
        a, b, c = (lax.convert_element_type(v, np.float32) for v in (a, b, c))
        s, t = _two_sum(lax.mul(a, b), c)
        return lax.convert_element_type(_round_to_odd(s, t), dt)
    # a*b = p + e and c + p = s + t exactly; fma = round(s + round_to_odd(t + e)).
    p, e = _two_prod(a, b)
    s, t = _two_sum(c, p)
    return lax.add(s, _round_to_odd(*_two_sum(t, e)))


@custom_jvp
def _fma(a, b, c):
    """a * b + c rounded once, like an FMA instruction (operands of one float dtype)."""
    return _fma_impl(a, b, c)


@_fma.defjvp
def _fma_jvp(primals, tangents):
    (a, b, c), (ta, tb, tc) = primals, tangents
    return _fma(a, b, c), lax.add(lax.add(lax.mul(ta, b), lax.mul(a, tb)), tc)


def _fma_c(a, b, c):
    """_fma where `b` and `c` may be scalar constants (NumPy or Python floats)."""
    def full(v):
        return lax.full_like(a, v) if isinstance(v, (float, np.floating)) else v
    return _fma(a, full(b), full(c))


_F32_TINY = np.float32(np.finfo(np.float32).tiny)
# Cephes-style logf: log(m) for m in [sqrt(1/2), sqrt(2)) as a degree-9 polynomial,
# evaluated in three interleaved pieces; ln 2 split in a high and a low part.
_LOG_P = [_f32(h) for h in (0x3D9021BB, 0xBDEBD1B8, 0x3DEF251A, 0xBDFE5D4F, 0x3E11E9BF,
                            0xBE2AAE50, 0x3E4CCEAC, 0xBE7FFFFC, 0x3EAAAAAA)]
_LN2_HI, _LN2_LO = _f32(0x3F318000), _f32(0xB95E8083)


def _log_f32_impl(x):
    f32 = np.float32
    clamped = lax.max(x, lax.full_like(x, _F32_TINY))  # NaN and x <= tiny: specials below
    bits = lax.bitcast_convert_type(clamped, np.uint32)
    mant = lax.bitcast_convert_type(
        lax.bitwise_or(lax.bitwise_and(bits, _u32(0x807FFFFF)), _u32(0x3F000000)), np.float32)
    expo = lax.convert_element_type(
        lax.sub(lax.convert_element_type(lax.shift_right_logical(bits, _u32(23)), np.int32),
                np.int32(126)), np.float32)
    below = lax.lt(mant, _f32(0x3F3504F3))  # mant < sqrt(1/2): use 2 * mant
    zero = lax.full_like(x, 0)
    expo = lax.sub(expo, lax.select(below, lax.full_like(x, 1), zero))
    xm = lax.add(lax.sub(mant, f32(1)), lax.select(below, mant, zero))
    z = lax.mul(xm, xm)
    z3 = lax.mul(z, xm)
    y0 = _fma_c(_fma_c(xm, _LOG_P[0], _LOG_P[1]), xm, _LOG_P[2])
    y1 = _fma_c(_fma_c(xm, _LOG_P[3], _LOG_P[4]), xm, _LOG_P[5])
    y2 = _fma_c(_fma_c(xm, _LOG_P[6], _LOG_P[7]), xm, _LOG_P[8])
    y = _fma(y0, z3, y1)
    y = _fma(y, z3, y2)
    y = _fma(y, z3, lax.mul(expo, _LN2_LO))
    r = lax.add(_fma_c(z, f32(-0.5), xm), y)
    r = _fma_c(expo, _LN2_HI, r)
    # Specials; like XLA (which flushes denormals) every |x| < tiny counts as zero.
    r = lax.select(lax.ge(x, _F32_TINY), r, lax.full_like(x, np.nan))
    r = lax.select(lax.lt(lax.abs(x), _F32_TINY), lax.full_like(x, -np.inf), r)
    return lax.select(lax.eq(x, f32(np.inf)), x, r)


# log1p for |x| < sqrt(2) - 1: x - x^2/2 + x^3 P(x)/Q(x) (Cephes).
_LOG1P_P = [_f32(h) for h in (0x3EFF40C5, 0x40D284FA, 0x41EF4B9C, 0x4273CC76, 0x426473AD,
                              0x41A05101)]
_LOG1P_Q = [_f32(h) for h in (0x417101AD, 0x42A6185B, 0x435DC32D, 0x439A8CA3, 0x43586D8A,
                              0x42707982)]


def _log1p_f32_impl(x):
    f32 = np.float32
    small = lax.lt(lax.abs(x), _f32(0x3ED413CD))
    xs = lax.select(small, x, lax.full_like(x, 0))  # keeps the unused branch finite
    x0 = lax.mul(xs, f32(0))  # XLA starts both polynomials from x * 0 + c
    num = lax.add(x0, f32(4.527e-05))
    den = lax.add(x0, f32(1))
    for p, q in zip(_LOG1P_P, _LOG1P_Q):
        num = _fma_c(num, xs, p)
        den = _fma_c(den, xs, q)
    x2 = lax.mul(xs, xs)
    t = lax.mul(lax.mul(xs, x2), lax.div(num, den))
    near = lax.add(xs, _fma_c(x2, f32(-0.5), t))
    return lax.select(small, near, _log_f32_impl(lax.add(x, f32(1))))


# Giles, "Approximating the erfinv function" (GPU Computing Gems, 2011), float32.
_ERFINV_CENTRAL = [2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
                   0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941]
_ERFINV_TAIL = [-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
                -0.0076224613, 0.00943887047, 1.00167406, 2.83297682]


def _erf_inv_f32_impl(x):
    f32 = np.float32
    w = lax.neg(_log1p_f32_impl(lax.mul(x, lax.neg(x))))
    central = lax.lt(w, f32(5))
    # (the unused sqrt branch gets a harmless argument)
    t = lax.select(central, lax.sub(w, f32(2.5)),
                   lax.sub(lax.sqrt(lax.select(central, lax.full_like(w, 25), w)), f32(3)))

    def coef(i):
        return lax.select(central, lax.full_like(x, _ERFINV_CENTRAL[i]),
                          lax.full_like(x, _ERFINV_TAIL[i]))

    p = coef(0)
    for i in range(1, 9):
        p = _fma(p, t, coef(i))
    p = lax.select(lax.eq(lax.abs(x), f32(1)), lax.full_like(x, np.inf), p)
    return lax.mul(p, x)


# erf(x) = x P(x^2) / Q(x^2) for |x| < 3.8325066 (where erf rounds to +-1), all FMAs.
_ERF_P = [_f32(h) for h in (0x39702D51, 0x3B5F5DA2, 0x3D50B6EB, 0x3E3DA740, 0x3F906EBA)]
_ERF_Q = [_f32(h) for h in (0xB3FD3906, 0x37C588DF, 0x3A856D28, 0x3C6687D4, 0x3DE34C21,
                            0x3EFEB44A, 0x3F800000)]


def _erf_f32_impl(x):
    x2 = lax.mul(x, x)
    p = _fma_c(x2, _ERF_P[0], _ERF_P[1])
    for c in _ERF_P[2:]:
        p = _fma_c(x2, p, c)
    q = _fma_c(x2, _ERF_Q[0], _ERF_Q[1])
    for c in _ERF_Q[2:]:
        q = _fma_c(x2, q, c)
    return lax.select(lax.ge(lax.abs(x), _f32(0x407547CB)), lax.sign(x),
                      lax.div(lax.mul(x, p), q))


def _flush_denormals(x):
    """XLA's CPU kernels run with denormals flushed to zero (keeping the sign)."""
    return lax.select(lax.lt(lax.abs(x), _F32_TINY), lax.mul(x, np.float32(0)), x)


def _via_f32(impl, fallback):
    """Run a float32 kernel for float32 and float16 (XLA upcasts float16 to float32);
    float64 uses tinyjax's own lax function."""
    def f(x):
        dt = jnp.result_type(x)
        if dt == np.float32:
            return _flush_denormals(impl(_flush_denormals(x)))
        if dt == np.float16:
            return lax.convert_element_type(impl(lax.convert_element_type(x, np.float32)), dt)
        return fallback(x)
    return f


_log = custom_jvp(_via_f32(_log_f32_impl, lax.log))
_log.defjvps(lambda g, ans, x: lax.div(g, x))
_log1p = custom_jvp(_via_f32(_log1p_f32_impl, lax.log1p))
_log1p.defjvps(lambda g, ans, x: lax.div(g, lax.add(x, _const(x, 1))))
_erf = custom_jvp(_via_f32(_erf_f32_impl, lax.erf))
_erf.defjvps(lambda g, ans, x: lax.mul(_const(x, 2 / np.sqrt(np.pi)),
                                       lax.mul(g, lax.exp(lax.neg(lax.mul(x, x))))))
_erf_inv = custom_jvp(_via_f32(_erf_inv_f32_impl, lax.erf_inv))
_erf_inv.defjvps(lambda g, ans, x: lax.mul(_const(x, np.sqrt(np.pi) / 2),
                                           lax.mul(g, lax.exp(lax.mul(ans, ans)))))


# ============================================================================ samplers

def _check_shape(name: str, shape: tuple, *param_shapes) -> None:
    if param_shapes:
        try:
            got = tuple(np.broadcast_shapes(shape, *param_shapes))
        except ValueError:
            raise ValueError(f"{name} parameter shapes must be broadcast-compatible with shape "
                             f"argument, but got incompatible shapes for broadcasting: shape "
                             f"argument {shape} and parameter shapes "
                             f"{', '.join(map(str, param_shapes))}.") from None
        if got != shape:
            raise ValueError(f"{name} parameter shapes must be broadcast-compatible with shape "
                             f"argument, and the result of broadcasting the shapes must equal "
                             f"the shape argument, but got result {got} for shape argument "
                             f"{shape}.")


def _float_dtype(name: str, dtype):
    dt = dtypes.canonicalize_dtype(dtypes.default_float_dtype() if dtype is None else dtype)
    if not dtypes.is_float(dt):
        raise ValueError(f"dtype argument to `{name}` must be a float dtype, got {dt}")
    return dt


def _static_value(x):
    """x as a NumPy value if it is a compile-time constant (a Python or NumPy number)."""
    if isinstance(x, (bool, int, float, np.generic, np.ndarray)):
        return np.asarray(x)
    return None


def _exact_products(span, dt) -> bool:
    """Whether u * span is exact for every u in [2**-nmant, 1): span is 0, non-finite, or
    a power of two large enough to keep the products normal."""
    finfo = dtypes.finfo(dt)
    mant = np.abs(np.frexp(span)[0])
    big = np.abs(span) >= float(finfo.tiny) * 2.0 ** finfo.nmant
    return bool(np.all(((mant == 0.5) & big) | (span == 0) | ~np.isfinite(span)))


def bits(key, shape=(), dtype=None) -> Array:
    """Uniform random bits as unsigned integers of `dtype` (default uint32; uint64 with x64).

    >>> bits(PRNGKey(0), (2,))  # doctest: +SKIP
    Array([4070199207, 4202968722], dtype=uint32)
    """
    key = _check_key("bits", key)
    dt = dtypes.canonicalize_dtype(dtypes.default_uint_dtype() if dtype is None else dtype)
    if not dtypes.is_unsigned(dt):
        raise ValueError(f"dtype argument to `bits` must be an unsigned int dtype, got {dt}")
    return _random_bits(key, dt.itemsize * 8, canonical_shape(shape))


def _unit_floats(key, shape: tuple, dt):
    """Floats in [1, 2) whose mantissas are the top random bits of one draw."""
    finfo = dtypes.finfo(dt)
    nbits, nmant = finfo.bits, finfo.nmant
    ui = _UINT_DTYPES[nbits]
    raw = _random_bits(key, nbits, shape)
    one = np.array(1.0, dt).view(ui)
    fbits = lax.bitwise_or(lax.shift_right_logical(raw, np.array(nbits - nmant, ui)), one)
    return lax.bitcast_convert_type(fbits, dt)


def _uniform(key, shape: tuple, dt, minval, maxval):
    floats = lax.sub(_unit_floats(key, shape, dt), np.array(1.0, dt))
    smin, smax = _static_value(minval), _static_value(maxval)
    lo = lax.convert_element_type(minval, dt)
    hi = lax.convert_element_type(maxval, dt)
    lo = lax.broadcast_to_rank(lo, len(shape))
    hi = lax.broadcast_to_rank(hi, len(shape))
    span = jnp.subtract(hi, lo)
    static_span = None
    if smin is not None and smax is not None:
        with np.errstate(all="ignore"):
            static_span = np.subtract(smax.astype(dt), smin.astype(dt), dtype=dt)
    if static_span is not None and _exact_products(static_span, dt):
        # floats * span is exact for a power-of-two span: the FMA rounds like mul + add.
        value = jnp.add(jnp.multiply(floats, span), lo)
    else:
        # XLA fuses floats * span + lo into one FMA.
        floats, span, lo_b = jnp.broadcast_arrays(floats, span, lo)
        value = _fma(floats, span, lo_b)
    value = lax.reshape(value, shape) if jnp.shape(value) != shape else value
    return jnp.maximum(lo, value)


def uniform(key, shape=(), dtype=None, minval=0.0, maxval=1.0) -> Array:
    """Uniform floats in [minval, maxval) (minval and maxval broadcast against `shape`).

    >>> uniform(PRNGKey(0), (2,), minval=-1.0, maxval=1.0)  # doctest: +SKIP
    Array([0.895334  , 0.95715976], dtype=float32)
    """
    key = _check_key("uniform", key)
    dt = _float_dtype("uniform", dtype)
    return _uniform(key, canonical_shape(shape), dt, minval, maxval)


def _normal_real(key, shape: tuple, dt):
    lo = np.nextafter(np.array(-1.0, dt), np.array(0.0, dt))
    u = _uniform(key, shape, dt, lo, np.array(1.0, dt))
    return lax.mul(np.array(np.sqrt(2), dt), _erf_inv(u))


def normal(key, shape=(), dtype=None) -> Array:
    """Standard normal samples: ``sqrt(2) * erf_inv(u)`` for u uniform in (-1, 1).

    >>> normal(PRNGKey(0), (3,))  # doctest: +SKIP
    Array([ 1.6226422 ,  2.0252647 , -0.43359444], dtype=float32)
    """
    key = _check_key("normal", key)
    dt = _float_dtype("normal", dtype)
    return _normal_real(key, canonical_shape(shape), dt)


def truncated_normal(key, lower, upper, shape=None, dtype=None) -> Array:
    """Standard normal samples truncated to the open interval (lower, upper).

    >>> truncated_normal(PRNGKey(0), -1.0, 1.0, (3,))  # doctest: +SKIP
    Array([ 0.8618594,  0.9412883, -0.2910484], dtype=float32)
    """
    key = _check_key("truncated_normal", key)
    dt = _float_dtype("truncated_normal", dtype)
    if shape is None:
        shape = tuple(np.broadcast_shapes(jnp.shape(lower), jnp.shape(upper)))
    else:
        shape = canonical_shape(shape)
        _check_shape("truncated_normal", shape, jnp.shape(lower), jnp.shape(upper))
    sqrt2 = np.array(np.sqrt(2), dt)
    lower = lax.convert_element_type(lower, dt)
    upper = lax.convert_element_type(upper, dt)
    # x / sqrt2, as XLA compiles it: times the reciprocal of the constant.
    rsqrt2 = np.divide(np.array(1, dt), sqrt2, dtype=dt)
    a = _erf(lax.mul(lower, lax.full_like(lower, rsqrt2)))
    b = _erf(lax.mul(upper, lax.full_like(upper, rsqrt2)))
    u = _uniform(key, shape, dt, a, b)
    out = lax.mul(lax.full_like(u, sqrt2), _erf_inv(u))
    # Clamp to the open interval: rounding (or u == a) must not reach the bounds.
    lo = lax.nextafter(lax.stop_gradient(lower), lax.full_like(lower, np.inf))
    hi = lax.nextafter(lax.stop_gradient(upper), lax.full_like(upper, -np.inf))
    return jnp.clip(out, lo, hi)


def _convert_and_clip_integer(val, dt):
    """Convert an integer array to integer dtype `dt`, clipping to its range (not wrapping)."""
    vinfo, info = dtypes.iinfo(val.dtype), dtypes.iinfo(dt)
    lo = _const(val, max(int(info.min), int(vinfo.min)))
    hi = _const(val, min(int(info.max), int(vinfo.max)))
    return lax.convert_element_type(jnp.clip(val, lo, hi), dt)


def _randint(key, shape: tuple, minval, maxval, dt):
    _check_shape("randint", shape, jnp.shape(minval), jnp.shape(maxval))
    minval = jnp.asarray(minval)
    maxval = jnp.asarray(maxval)
    if not dtypes.is_int(minval.dtype):
        minval = minval.astype(dtypes.default_int_dtype())
    if not dtypes.is_int(maxval.dtype):
        maxval = maxval.astype(dtypes.default_int_dtype())
    # maxval beyond dt's range (e.g. 256 for uint8) makes the span one larger.
    out_of_range = jnp.greater(
        maxval, _convert_and_clip_integer(jnp.array(dtypes.iinfo(dt).max, dt), maxval.dtype))
    minval = jnp.broadcast_to(_convert_and_clip_integer(minval, dt), shape)
    maxval = jnp.broadcast_to(_convert_and_clip_integer(maxval, dt), shape)
    out_of_range = jnp.broadcast_to(out_of_range, shape)
    nbits = dtypes.iinfo(dt).bits
    ui = _UINT_DTYPES[nbits]
    # Two draws of nbits each reduce the modulo bias of a non-power-of-two span.
    k1, k2 = _split2(key)
    higher = _random_bits(k1, nbits, shape)
    lower = _random_bits(k2, nbits, shape)
    span = lax.convert_element_type(lax.sub(maxval, minval), ui)
    one = lax.full_like(span, 1)
    span = lax.select(lax.le(maxval, minval), one, span)
    # A full-range span wraps to 0, and x % 0 == x: every value is then possible.
    span = lax.select(lax.bitwise_and(out_of_range, lax.gt(maxval, minval)),
                      lax.add(span, one), span)
    # (higher * 2**nbits + lower) % span, without 2*nbits-bit integers.
    multiplier = lax.rem(lax.full_like(span, 2 ** (nbits // 2)), span)
    multiplier = lax.rem(lax.mul(multiplier, multiplier), span)
    offset = lax.add(lax.mul(lax.rem(higher, span), multiplier), lax.rem(lower, span))
    offset = lax.rem(offset, span)
    return lax.add(minval, lax.convert_element_type(offset, dt))


def randint(key, shape, minval, maxval, dtype=None) -> Array:
    """Uniform integers in [minval, maxval) (JAX's two-draw modulo construction).

    Dtypes narrower than 32 bits are sampled as int32 and cast, as in JAX.

    >>> randint(PRNGKey(0), (6,), 0, 10)  # doctest: +SKIP
    Array([9, 0, 2, 3, 1, 7], dtype=int32)
    """
    key = _check_key("randint", key)
    dt = dtypes.canonicalize_dtype(dtypes.default_int_dtype() if dtype is None else dtype)
    if not dtypes.is_int(dt):
        raise TypeError(f"randint only accepts integer dtypes, got {dt}")
    shape = canonical_shape(shape)
    info = dtypes.iinfo(dt)
    if info.bits < 32:
        minval = jnp.clip(jnp.asarray(minval).astype(np.int32), int(info.min), int(info.max))
        maxval = jnp.clip(jnp.asarray(maxval).astype(np.int32), int(info.min),
                          int(info.max) + 1)
        return _randint(key, shape, minval, maxval, np.dtype(np.int32)).astype(dt)
    return _randint(key, shape, minval, maxval, dt)


def bernoulli(key, p=0.5, shape=None, mode: str = "low") -> Array:
    """Booleans that are True with probability `p`.

    ``mode="high"`` draws two uniforms per sample, resolving probabilities below
    float32's 2**-23 (as JAX).

    >>> bernoulli(PRNGKey(0), 0.3, (4,))  # doctest: +SKIP
    Array([False, False, False, False], dtype=bool)
    """
    if shape is not None:
        shape = canonical_shape(shape)
    if mode not in ("high", "low"):
        raise ValueError(f"got mode={mode!r}, expected 'high' or 'low'")
    key = _check_key("bernoulli", key)
    dt = dtypes.canonicalize_dtype(jnp.result_type(p))
    if not dtypes.is_float(dt):
        raise TypeError(f"bernoulli probability `p` must have a floating dtype, got {dt}.")
    p = lax.convert_element_type(p, dt)
    if shape is None:
        shape = jnp.shape(p)
    else:
        _check_shape("bernoulli", shape, jnp.shape(p))
    if mode == "high":
        u = _uniform(key, (2, *shape), dt, 0.0, 1.0)
        u1 = lax.index_in_dim(u, 0, keepdims=False)
        u2 = lax.index_in_dim(u, 1, keepdims=False)
        u2 = lax.mul(u2, np.array(2.0 ** -dtypes.finfo(dt).nmant, dt))
        return jnp.less(u2, jnp.subtract(p, u1))
    return jnp.less(_uniform(key, shape, dt, 0.0, 1.0), p)


def rademacher(key, shape=(), dtype=None) -> Array:
    """Random signs: -1 or +1 with equal probability.

    >>> rademacher(PRNGKey(0), (3,))  # doctest: +SKIP
    Array([-1, -1,  1], dtype=int32)
    """
    key = _check_key("rademacher", key)
    dt = dtypes.canonicalize_dtype(dtypes.default_int_dtype() if dtype is None else dtype)
    b = bernoulli(key, 0.5, canonical_shape(shape)).astype(dt)
    return (2 * b - 1).astype(dt)


# ---------------------------------------------------------------------------- permutations

def _shuffle(key, x, axis: int):
    # Sorting by fresh random 32-bit keys, repeated until a collision among all
    # elements is unlikely (JAX's static round count, after tf2xla's random ops).
    num_rounds = int(np.ceil(3 * np.log(max(1, x.size)) / np.log(np.iinfo(np.uint32).max)))
    for _ in range(num_rounds):
        key, subkey = _split2(key)
        sort_keys = _random_bits(subkey, 32, x.shape)
        _, x = lax.sort_key_val(sort_keys, x, axis)
    return x


def permutation(key, x, axis: int = 0, independent: bool = False) -> Array:
    """A random permutation of ``arange(x)`` (int `x`) or of `x` along `axis`.

    With ``independent=True`` every slice along `axis` is shuffled separately.

    >>> permutation(PRNGKey(0), 10)  # doctest: +SKIP
    Array([0, 1, 8, 5, 6, 4, 3, 2, 7, 9], dtype=int32)
    """
    key = _check_key("permutation", key)
    ndim = jnp.ndim(x)
    axis = canonical_axis(axis, ndim or 1)
    if not ndim:
        if not dtypes.is_int(jnp.result_type(x)):
            raise TypeError("x must be an integer or at least 1-dimensional")
        return _shuffle(key, jnp.arange(int(x)), axis)
    x = jnp.asarray(x)
    if independent or ndim == 1:
        return _shuffle(key, x, axis)
    ind = _shuffle(key, jnp.arange(x.shape[axis]), 0)
    return jnp.take(x, ind, axis, unique_indices=True)


def shuffle(key, x, axis: int = 0) -> Array:
    """Shuffle each slice of `x` along `axis` independently.

    The former ``jax.random.shuffle``; the same as
    ``permutation(key, x, axis, independent=True)``.

    >>> shuffle(PRNGKey(0), jnp.arange(5))  # doctest: +SKIP
    Array([0, 1, 4, 3, 2], dtype=int32)
    """
    key = _check_key("shuffle", key)
    x = jnp.asarray(x)
    return _shuffle(key, x, canonical_axis(axis, x.ndim or 1))


# ---------------------------------------------------------------------------- gumbel-based

def _safe_int_to_float(hi, lo):
    """The 64-bit fixed-point fraction hi:lo (in (0, 1)) as float32, without rounding up."""
    hiclz = lax.clz(hi)
    loclz = lax.clz(lo)
    full = lax.eq(hiclz, _u32(32))
    mantissa = lax.bitwise_or(
        lax.shift_left(hi, hiclz),
        lax.select(full, lax.shift_left(lo, loclz),
                   lax.shift_right_logical(lo, lax.sub(lax.full_like(hiclz, 32), hiclz))))
    mantissa = lax.bitwise_and(lax.shift_right_logical(mantissa, _u32(8)), _u32((1 << 23) - 1))
    lead = lax.select(full, lax.add(lax.full_like(loclz, 32), loclz), hiclz)
    expo = lax.shift_left(lax.sub(lax.full_like(lead, 126), lead), _u32(23))
    expo = lax.bitwise_and(expo, _u32((1 << 30) - (1 << 22)))
    return lax.bitcast_convert_type(lax.bitwise_or(expo, mantissa), np.float32)


def _gumbel(key, shape: tuple, dt, mode: str = "low"):
    """Standard Gumbel samples -log(-log(u)) (JAX's `gumbel`, all three modes).

    Used by `choice` and `categorical`; also the base of the public `gumbel`.
    """
    finfo = dtypes.finfo(dt)
    if mode == "highest" and dt == np.float32:
        b = _random_bits(key, 32, (2, *shape))
        hi = lax.index_in_dim(b, 0, keepdims=False)
        lo = lax.index_in_dim(b, 1, keepdims=False)
        # 1 - bits as a 64-bit fixed-point fraction.
        nhi, nlo = lax.bitwise_not(hi), lax.bitwise_not(lo)
        nhi = lax.add(nhi, lax.convert_element_type(lax.eq(nlo, _u32(0xFFFFFFFF)), np.uint32))
        nlo = lax.add(nlo, _u32(1))
        flip = lax.lt(hi, _u32(1 << 31))
        x = _safe_int_to_float(lax.select(flip, hi, nhi), lax.select(flip, lo, nlo))
        # log1p(-x) for x in (0, 1/2), log(x) for the complement in [1/2, 1).
        return lax.select(flip, lax.neg(_log(lax.neg(_log1p(lax.neg(x))))),
                          lax.neg(_log(lax.neg(_log(x)))))
    if mode in ("high", "highest"):
        u = _uniform(key, (2, *shape), dt, 0.0, 1.0)
        high = lax.index_in_dim(u, 0, keepdims=False)
        low = lax.index_in_dim(u, 1, keepdims=False)
        fine = lax.add(lax.add(high, lax.mul(np.array(2.0 ** -finfo.nmant, dt), low)),
                       np.array(finfo.tiny, dt))
        x = lax.select(lax.ge(high, np.array(0.5, dt)), high, fine)
        return lax.neg(_log(lax.neg(_log1p(lax.neg(x)))))
    # uniform(minval=tiny, maxval=1) as XLA folds it for JAX's constant bounds:
    # (f - 1) * 1 + tiny becomes f + (tiny - 1), and tiny - 1 rounds to -1.
    floats = lax.sub(_unit_floats(key, shape, dt), np.array(1.0, dt))
    u = lax.max(lax.full_like(floats, finfo.tiny), floats)
    return lax.neg(_log(lax.neg(_log(u))))


def _gumbel_mode(mode):
    mode = "low" if mode is None else mode
    if mode not in ("highest", "high", "low"):
        raise ValueError(f"Must provide valid mode for gumbel got: {mode}")
    return mode


def _sequential_cumsum(x):
    """Cumulative sums along the last (short) axis, added one by one from 0 as XLA's
    reduce-window does, in x's own dtype."""
    n = x.shape[-1]
    acc = lax.full_like(lax.index_in_dim(x, 0, axis=x.ndim - 1), 0)
    sums = []
    for i in range(n):
        acc = lax.add(acc, lax.index_in_dim(x, i, axis=x.ndim - 1))
        sums.append(acc)
    return lax.concatenate(sums, x.ndim - 1)


def _xla_cumsum(x):
    """jnp.cumsum of a vector in XLA's CPU summation order.

    XLA rewrites a long scan into sequential scans of 16-element blocks plus an
    (exclusive) scan of the block totals, recursively.
    """
    n = x.shape[0]
    if n <= 16:
        return _sequential_cumsum(x)
    m = -(-n // 16)
    zero = np.zeros((), x.dtype)
    blocks = lax.reshape(lax.pad(x, zero, [(0, m * 16 - n, 0)]), (m, 16))
    inner = _sequential_cumsum(blocks)
    totals = _xla_cumsum(lax.index_in_dim(inner, 15, axis=1, keepdims=False))
    before = lax.pad(lax.slice(totals, (0,), (m - 1,)), zero, [(1, 0, 0)])
    out = lax.add(inner, lax.broadcast_in_dim(before, (m, 16), (0,)))
    return lax.slice(lax.reshape(out, (m * 16,)), (0,), (n,))


def choice(key, a, shape: Sequence[int] = (), replace: bool = True, p=None, axis: int = 0,
           mode: str | None = None) -> Array:
    """Random samples from the elements of `a` along `axis` (or from ``arange(a)``).

    Without `p`: uniform draws (`randint`) or, without replacement, a prefix of a
    `permutation`. With `p`: inverse-CDF search with replacement, the Gumbel
    top-k trick without.

    >>> choice(PRNGKey(0), 5, (3,), replace=False)  # doctest: +SKIP
    Array([0, 1, 4], dtype=int32)
    """
    key = _check_key("choice", key)
    if not isinstance(shape, Sequence):
        raise TypeError(f"shape argument of choice must be a sequence, got {shape}")
    shape = canonical_shape(shape)
    arr = jnp.asarray(a)
    if arr.ndim == 0:
        n_inputs = int(a)
    else:
        axis = canonical_axis(axis, arr.ndim)
        n_inputs = arr.shape[axis]
    n_draws = math.prod(shape)
    if n_draws == 0:
        return jnp.zeros(shape, dtype=arr.dtype)
    if n_inputs <= 0:
        raise ValueError("a must be greater than 0 unless no samples are taken")
    if not replace and n_draws > n_inputs:
        raise ValueError(f"Cannot take a larger sample (size {n_draws}) than population "
                         f"(size {n_inputs}) when 'replace=False'")
    if p is None:
        if replace:
            ind = randint(key, shape, 0, n_inputs)
            result = ind if arr.ndim == 0 else jnp.take(arr, ind, axis)
        else:
            perm = permutation(key, n_inputs if arr.ndim == 0 else arr, axis)
            result = lax.slice_in_dim(perm, 0, n_draws, axis=axis)
    else:
        p_arr = jnp.asarray(p)
        if not dtypes.is_float(p_arr.dtype):
            p_arr = p_arr.astype(dtypes.default_float_dtype())
        if p_arr.shape != (n_inputs,):
            raise ValueError(f"p must be None or a 1D vector with the same size as "
                             f"a.shape[axis]. p has shape {p_arr.shape} and a.shape[axis] is "
                             f"{n_inputs}.")
        if replace:
            p_cuml = _xla_cumsum(p_arr)
            total = lax.index_in_dim(p_cuml, n_inputs - 1, keepdims=False)
            u = _uniform(key, shape, p_cuml.dtype, 0.0, 1.0)
            r = jnp.multiply(total, jnp.subtract(1, u))
            ind = jnp.searchsorted(p_cuml, r).astype(dtypes.default_int_dtype())
        else:
            g = jnp.add(_gumbel(key, (n_inputs,), p_arr.dtype, _gumbel_mode(mode)),
                        _log(p_arr))
            ind = lax.top_k(g, n_draws)[1].astype(dtypes.default_int_dtype())
        result = ind if arr.ndim == 0 else jnp.take(arr, ind, axis)
    out_shape = shape if arr.ndim == 0 else arr.shape[:axis] + shape + arr.shape[axis + 1:]
    return result.reshape(out_shape)


def categorical(key, logits, axis: int = -1, shape=None, replace: bool = True,
                mode: str | None = None) -> Array:
    """Samples from categorical distributions given by unnormalized log-probabilities.

    The Gumbel-max trick with replacement, Gumbel top-k without.

    >>> categorical(PRNGKey(0), jnp.log(jnp.array([0.1, 0.2, 0.7])), shape=(4,))  # doctest: +SKIP
    Array([1, 2, 2, 1], dtype=int32)
    """
    key = _check_key("categorical", key)
    logits = jnp.asarray(logits)
    mode = _gumbel_mode(mode)
    ndim = logits.ndim
    axis_pos = canonical_axis(axis, ndim)
    batch_shape = logits.shape[:axis_pos] + logits.shape[axis_pos + 1:]
    if shape is None:
        shape = batch_shape
    else:
        shape = canonical_shape(shape)
        _check_shape("categorical", shape, batch_shape)
    prefix = shape[:len(shape) - len(batch_shape)]
    if replace:
        axis_neg = axis_pos - ndim
        logits_shape = list(shape[len(shape) - len(batch_shape):])
        logits_shape.insert(axis_neg % ndim, logits.shape[axis_neg])
        g = _gumbel(key, (*prefix, *logits_shape), logits.dtype, mode)
        return jnp.argmax(jnp.add(g, lax.expand_dims(logits, tuple(range(len(prefix))))),
                          axis=axis_neg)
    logits = jnp.add(logits, _gumbel(key, logits.shape, logits.dtype, mode))
    k = math.prod(prefix)
    if k > logits.shape[axis_pos]:
        raise ValueError(f"Number of samples without replacement ({k}) cannot exceed number "
                         f"of categories ({logits.shape[axis_pos]}).")
    _, indices = lax.top_k(jnp.moveaxis(logits, axis_pos, -1), k)
    # (*batch, k) -> (k, *batch) -> shape
    return lax.reshape(jnp.moveaxis(indices, -1, 0), shape)


# the other distributions, written on the functions above
from ._random_extra import *  # noqa: E402,F401,F403
from ._random_extra import __all__ as _extra_all  # noqa: E402

__all__ = list(__all__) + list(_extra_all)
