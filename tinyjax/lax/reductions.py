"""Reductions, cumulative reductions, sorting and top_k.

Each primitive is defined in one block: the primitive, its public function, its
shape/dtype rule and its eager (NumPy) implementation. Semantics follow XLA as
JAX exposes it on CPU:

- `reduce_*` take a tuple of distinct, non-negative `axes`; reducing an empty
  axis gives the identity (0, 1, -inf / iinfo.min for max, all-ones for and...).
- max/min propagate NaN and order -0.0 below +0.0 (IEEE-754 2019 maximum).
- integer arithmetic wraps around; float16 sums/products accumulate in float32
  and round once (XLA's order of accumulation is unspecified anyway).
- `sort` compares floats with -0.0 == +0.0 and every NaN after +inf, stably;
  `top_k` uses the IEEE total order on the bits (+NaN > +inf > ... > +0.0 > -0.0
  > ... > -inf > -NaN) and puts the lower index first on ties.
"""
from __future__ import annotations

import math
import operator

import numpy as np

from ..core import dtypes, pytree
from ..core.array import Array
from ..core.trace import Tracer
from ..interpreters.ad import Zero, defjvp2, defjvp_zero, deflinear, jvp_rules
from ..interpreters.batching import batching_rules, defreducer, matchaxis, moveaxis, not_mapped
from . import elementwise as _ew
from . import indexing as _ix
from . import shapes as _shapes
from ._base import asarray, aval, def_primitive, type_error, value_error
from .elementwise import (
    add,
    add_p,
    and_p,
    bitwise_and,
    bitwise_or,
    bitwise_xor,
    convert_element_type,
    max,
    max_p,
    min,
    min_p,
    mul,
    mul_p,
    or_p,
    xor_p,
)

__all__ = [
    'argmax',
    'argmax_p',
    'argmin',
    'argmin_p',
    'cumlogsumexp',
    'cumlogsumexp_p',
    'cummax',
    'cummax_p',
    'cummin',
    'cummin_p',
    'cumprod',
    'cumprod_p',
    'cumsum',
    'cumsum_p',
    'reduce',
    'reduce_and',
    'reduce_and_p',
    'reduce_max',
    'reduce_max_p',
    'reduce_min',
    'reduce_min_p',
    'reduce_or',
    'reduce_or_p',
    'reduce_prod',
    'reduce_prod_p',
    'reduce_sum',
    'reduce_sum_p',
    'reduce_xor',
    'reduce_xor_p',
    'sort',
    'sort_key_val',
    'sort_p',
    'top_k',
    'top_k_p',
]


# ----------------------------------------------------------------------------- helpers

def _aval_str(a) -> str:
    return f"{a.dtype.name}[{','.join(map(str, a.shape))}]"


def _static_int(v, what: str) -> int:
    if isinstance(v, Tracer):
        from ..core.errors import ConcretizationTypeError
        raise ConcretizationTypeError(v, f"The {what} argument must be a static Python int. ")
    try:
        return operator.index(v)
    except TypeError:
        raise type_error(f"{what} must be an integer, got {v!r}") from None


def _static_axes(axes, what: str = "axes") -> tuple:
    """A tuple of Python ints (a bare int is one axis); bounds are the rule's business."""
    if isinstance(axes, (int, np.integer)):
        return (int(axes),)
    return tuple(_static_int(a, what) for a in axes)


def _canonicalize_axis(axis: int, ndim: int) -> int:
    """A possibly negative axis as a non-negative one (lax.sort/top_k accept -1)."""
    if not -ndim <= axis < ndim:
        raise value_error(f"axis {axis} is out of bounds for array of dimension {ndim}")
    return axis % ndim


def _check_axes(x, axes) -> tuple:
    """The shape left after reducing `axes` (distinct, 0 <= a < ndim) of aval x."""
    if len(axes) != len(set(axes)):
        raise value_error(f"duplicate value in 'axes' of reduction: {axes}")
    if not all(0 <= a < x.ndim for a in axes):
        raise value_error(
            f"reduction axes {axes} contains out-of-bounds indices for {_aval_str(x)}.")
    return tuple(d for i, d in enumerate(x.shape) if i not in axes)


def _check_number(name: str, dtype) -> None:
    if dtype.kind not in "iuf":
        raise type_error(
            f"{name} does not accept dtype {dtype.name}. Accepted dtypes are subtypes of number.")


def _max_identity(dtype) -> np.ndarray:
    if dtype.kind == "f":
        return np.array(-np.inf, dtype)
    if dtype.kind in "iu":
        return np.array(np.iinfo(dtype).min, dtype)
    return np.array(False)


def _min_identity(dtype) -> np.ndarray:
    if dtype.kind == "f":
        return np.array(np.inf, dtype)
    if dtype.kind in "iu":
        return np.array(np.iinfo(dtype).max, dtype)
    return np.array(True)


def _acc_dtype(dtype):
    # float16 accumulates in float32 and rounds once at the end
    return np.dtype(np.float32) if dtype == np.float16 else dtype


def _fix_zero_sign(r, positive):
    """Where r is a zero, make it +0.0 where `positive` holds and -0.0 elsewhere.

    NumPy's maximum/minimum return their first argument on ties, so the sign of a
    zero max/min would depend on the order; XLA orders -0.0 below +0.0.
    """
    r = np.asarray(r)
    is_zero = r == 0
    if not is_zero.any():
        return r
    zero = np.copysign(np.zeros_like(r), np.where(positive, 1, -1).astype(r.dtype))
    return np.where(is_zero, zero, r)


def _pos_zeros(x):
    return (x == 0) & ~np.signbit(x)


def _neg_zeros(x):
    return (x == 0) & np.signbit(x)


# ----------------------------------------------------------------------------- helpers for AD rules
# Derivative rules are written with lax operations only, so that they can be traced
# and differentiated again.

def _const(x, v):
    """The scalar `v` as a constant of x's dtype and weak type."""
    return Array(np.array(v, x.dtype), x.weak_type)


def _zeros(x):
    return _shapes.broadcast_in_dim(_const(x, 0), x.shape, ())


def _kept_dims(ndim: int, axes) -> tuple:
    return tuple(i for i in range(ndim) if i not in axes)


def _take_along_axis(t, idx, axis: int):
    """t[..., idx, ...]: `t` read at the integer positions `idx` along `axis` (idx has
    t's shape except, possibly, along `axis`). One full index vector per element, so
    the gather needs no batching dimensions."""
    shape = tuple(idx.shape)
    if 0 in t.shape:  # nothing to move (and an empty operand admits no size-1 gather)
        return _ix.slice_in_dim(t, 0, shape[axis], axis=axis)
    ndim = len(shape)
    vec = shape + (1,)
    parts = [_shapes.reshape(idx, vec) if i == axis else
             _shapes.broadcasted_iota(idx.dtype, vec, i) for i in range(ndim)]
    indices = _shapes.concatenate(parts, ndim)
    dnums = _ix.GatherDimensionNumbers(offset_dims=(), collapsed_slice_dims=tuple(range(ndim)),
                                       start_index_map=tuple(range(ndim)))
    return _ix.gather(t, indices, dnums, (1,) * ndim, unique_indices=True)


# ----------------------------------------------------------------------------- reduce_sum and friends

def _reduce_number_rule(name):
    def rule(x, *, axes):
        _check_number(name, x.dtype)
        return aval(_check_axes(x, axes), x.dtype, x.weak_type)
    rule.__name__ = f"_{name}_rule"
    return rule


def _reduce_any_rule(name):
    def rule(x, *, axes):
        return aval(_check_axes(x, axes), x.dtype, x.weak_type)
    rule.__name__ = f"_{name}_rule"
    return rule


def _reduce_logical_rule(name):
    def rule(x, *, axes):
        if x.dtype.kind not in "biu":
            raise type_error(
                f"{name} (a logical reduction) requires operand dtype bool or int, got "
                f"{x.dtype.name}.")
        return aval(_check_axes(x, axes), x.dtype, False)
    rule.__name__ = f"_{name}_rule"
    return rule


def _reduce_sum_impl(x, *, axes):
    if not axes:
        return x
    r = np.sum(x, axis=axes, dtype=_acc_dtype(x.dtype))
    if x.dtype.kind == "f":
        r = r + r.dtype.type(0)  # XLA starts from +0.0, so a sum of -0.0s is +0.0
    return r.astype(x.dtype)


reduce_sum_p = def_primitive("reduce_sum", _reduce_number_rule("reduce_sum"), _reduce_sum_impl)


def reduce_sum(operand, axes) -> Array:
    """Sum of the elements over `axes` (distinct, non-negative); integers wrap.

    >>> lax.reduce_sum(jnp.arange(6).reshape(2, 3), (1,))  # doctest: +SKIP
    Array([ 3, 12], dtype=int32)
    """
    return reduce_sum_p.bind(asarray(operand), axes=_static_axes(axes))


def _reduce_sum_transpose(ct, x, *, axes):
    shape = x.aval.shape
    return [_shapes.broadcast_in_dim(ct, shape, _kept_dims(len(shape), axes))]


deflinear(reduce_sum_p, _reduce_sum_transpose)
defreducer(reduce_sum_p)


def _reduce_prod_impl(x, *, axes):
    return np.prod(x, axis=axes, dtype=_acc_dtype(x.dtype)).astype(x.dtype)


reduce_prod_p = def_primitive("reduce_prod", _reduce_number_rule("reduce_prod"),
                              _reduce_prod_impl)


def reduce_prod(operand, axes) -> Array:
    """Product of the elements over `axes`; integers wrap.

    >>> lax.reduce_prod(jnp.array([1., 2., 3.]), (0,))  # doctest: +SKIP
    Array(6., dtype=float32)
    """
    return reduce_prod_p.bind(asarray(operand), axes=_static_axes(axes))


def _reduce_prod_jvp(primals, tangents, *, axes):
    # The tangent is sum_i t_i * prod_{j != i} x_j; dividing the product by x_i would be
    # wrong where x_i == 0. Instead pair the elements up in a balanced tree and apply the
    # product rule at every node (as JAX does): exact with zeros, O(n) work, and every
    # step is a lax op, so it differentiates again.
    x, = primals
    t, = tangents
    out = reduce_prod_p.bind(x, axes=axes)
    if not axes:
        return out, t
    shape = tuple(x.shape)
    kept = _kept_dims(len(shape), axes)
    n = math.prod(shape[a] for a in axes)
    if n == 0:
        return out, Zero.from_value(out)
    # the reduced axes moved to the front and flattened into one
    perm = tuple(axes) + kept
    flat = (n,) + tuple(shape[i] for i in kept)
    if perm != tuple(range(len(shape))):
        x, t = _shapes.transpose(x, perm), _shapes.transpose(t, perm)
    x, t = _shapes.reshape(x, flat), _shapes.reshape(t, flat)
    while n > 1:
        n1 = (n + 1) // 2
        x1, x2 = _ix.slice_in_dim(x, 0, n1), _ix.slice_in_dim(x, n1, n)
        t1, t2 = _ix.slice_in_dim(t, 0, n1), _ix.slice_in_dim(t, n1, n)
        if n - n1 != n1:  # odd: pair the middle element with a 1
            cfg = [(0, 1, 0)] + [(0, 0, 0)] * len(kept)
            x2, t2 = _shapes.pad(x2, _const(x2, 1), cfg), _shapes.pad(t2, _const(t2, 0), cfg)
        t = add(mul(t1, x2), mul(x1, t2))
        x = mul(x1, x2)
        n = n1
    return out, _shapes.reshape(t, tuple(out.shape))


jvp_rules[reduce_prod_p] = _reduce_prod_jvp
defreducer(reduce_prod_p)


def _reduce_max_impl(x, *, axes):
    r = np.max(x, axis=axes, initial=_max_identity(x.dtype))
    if x.dtype.kind == "f":
        # the max is +0.0 if the group holds a +0.0, else -0.0
        r = _fix_zero_sign(r, np.any(_pos_zeros(x), axis=axes))
    return r


reduce_max_p = def_primitive("reduce_max", _reduce_any_rule("reduce_max"), _reduce_max_impl)


def reduce_max(operand, axes) -> Array:
    """Maximum over `axes`: NaN if any NaN, -inf (iinfo.min, False) when empty.

    >>> lax.reduce_max(jnp.array([[1., 5.], [7., 2.]]), (0,))  # doctest: +SKIP
    Array([7., 5.], dtype=float32)
    """
    return reduce_max_p.bind(asarray(operand), axes=_static_axes(axes))


def _reduce_chooser_jvp(g, ans, x, *, axes):
    # the tangent is the mean of g over the positions attaining the extremum
    # (0/0 = NaN where the extremum is NaN), as in JAX
    loc = _ew.convert_element_type(
        _ew.eq(x, _shapes.broadcast_in_dim(ans, x.shape, _kept_dims(x.ndim, axes))), g.dtype)
    return _ew.div(reduce_sum(mul(g, loc), axes), reduce_sum(loc, axes))


defjvp2(reduce_max_p, _reduce_chooser_jvp)
defreducer(reduce_max_p)


def _reduce_min_impl(x, *, axes):
    r = np.min(x, axis=axes, initial=_min_identity(x.dtype))
    if x.dtype.kind == "f":
        # the min is -0.0 if the group holds a -0.0, else +0.0
        r = _fix_zero_sign(r, ~np.any(_neg_zeros(x), axis=axes))
    return r


reduce_min_p = def_primitive("reduce_min", _reduce_any_rule("reduce_min"), _reduce_min_impl)


def reduce_min(operand, axes) -> Array:
    """Minimum over `axes`: NaN if any NaN, +inf (iinfo.max, True) when empty.

    >>> lax.reduce_min(jnp.array([[1., 5.], [7., 2.]]), (1,))  # doctest: +SKIP
    Array([1., 2.], dtype=float32)
    """
    return reduce_min_p.bind(asarray(operand), axes=_static_axes(axes))


defjvp2(reduce_min_p, _reduce_chooser_jvp)
defreducer(reduce_min_p)


reduce_and_p = def_primitive("reduce_and", _reduce_logical_rule("reduce_and"),
                             lambda x, *, axes: np.bitwise_and.reduce(x, axis=axes))
defjvp_zero(reduce_and_p)
defreducer(reduce_and_p)


def reduce_and(operand, axes) -> Array:
    """Bitwise (logical for bool) AND over `axes`; all ones (True) when empty.

    >>> lax.reduce_and(jnp.array([True, False]), (0,))  # doctest: +SKIP
    Array(False, dtype=bool)
    """
    return reduce_and_p.bind(asarray(operand), axes=_static_axes(axes))


reduce_or_p = def_primitive("reduce_or", _reduce_logical_rule("reduce_or"),
                            lambda x, *, axes: np.bitwise_or.reduce(x, axis=axes))
defjvp_zero(reduce_or_p)
defreducer(reduce_or_p)


def reduce_or(operand, axes) -> Array:
    """Bitwise (logical for bool) OR over `axes`; 0 (False) when empty.

    >>> lax.reduce_or(jnp.array([1, 6], jnp.uint8), (0,))  # doctest: +SKIP
    Array(7, dtype=uint8)
    """
    return reduce_or_p.bind(asarray(operand), axes=_static_axes(axes))


reduce_xor_p = def_primitive("reduce_xor", _reduce_logical_rule("reduce_xor"),
                             lambda x, *, axes: np.bitwise_xor.reduce(x, axis=axes))


defjvp_zero(reduce_xor_p)
defreducer(reduce_xor_p)


def reduce_xor(operand, axes) -> Array:
    """Bitwise (logical for bool) XOR over `axes`; 0 (False) when empty.

    >>> lax.reduce_xor(jnp.array([True, True, True]), (0,))  # doctest: +SKIP
    Array(True, dtype=bool)
    """
    return reduce_xor_p.bind(asarray(operand), axes=_static_axes(axes))


# ----------------------------------------------------------------------------- argmax, argmin

def _argminmax_rule(name):
    def rule(x, *, axes, index_dtype):
        axis, = axes
        if not 0 <= axis < x.ndim:
            raise value_error(f"{name}: invalid axis {axis} for operand shape {x.shape}")
        if x.shape[axis] < 1:
            raise value_error(
                f"argmin and argmax require non-empty reduced dimension. "
                f"operand.shape={x.shape} axis={axis}")
        if index_dtype.kind not in "iu":
            raise type_error(f"index_dtype must be an integer type, but got {index_dtype.name}")
        return aval(x.shape[:axis] + x.shape[axis + 1:], index_dtype, False)
    rule.__name__ = f"_{name}_rule"
    return rule


# np.argmax/np.argmin return the first NaN if there is one, else the first extremum;
# -0.0 and +0.0 compare equal, as in XLA's comparator-based argmax.
argmax_p = def_primitive(
    "argmax", _argminmax_rule("argmax"),
    lambda x, *, axes, index_dtype: np.argmax(x, axis=axes[0]).astype(index_dtype))
argmin_p = def_primitive(
    "argmin", _argminmax_rule("argmin"),
    lambda x, *, axes, index_dtype: np.argmin(x, axis=axes[0]).astype(index_dtype))
defjvp_zero(argmax_p)
defjvp_zero(argmin_p)
# the reduced axis shifts past the batch dim; index_dtype rides along
defreducer(argmax_p)
defreducer(argmin_p)


def argmax(operand, axis: int, index_dtype) -> Array:
    """Index of the maximum along `axis` (first one on ties; the first NaN if any).

    >>> lax.argmax(jnp.array([1., 3., 3.]), 0, jnp.int32)  # doctest: +SKIP
    Array(1, dtype=int32)
    """
    return argmax_p.bind(asarray(operand), axes=(_static_int(axis, "axis"),),
                         index_dtype=dtypes.canonicalize_dtype(index_dtype))


def argmin(operand, axis: int, index_dtype) -> Array:
    """Index of the minimum along `axis` (first one on ties; the first NaN if any).

    >>> lax.argmin(jnp.array([[4, 1], [0, 9]]), 1, jnp.int32)  # doctest: +SKIP
    Array([1, 0], dtype=int32)
    """
    return argmin_p.bind(asarray(operand), axes=(_static_int(axis, "axis"),),
                         index_dtype=dtypes.canonicalize_dtype(index_dtype))


# ----------------------------------------------------------------------------- generic reduce

# lax function -> (its primitive, the reduction primitive's function, identity(dtype))
def _monoids():
    return (
        (add, add_p, reduce_sum, lambda dt: np.array(0, dt)),
        (mul, mul_p, reduce_prod, lambda dt: np.array(1, dt)),
        (max, max_p, reduce_max, _max_identity),
        (min, min_p, reduce_min, _min_identity),
        (bitwise_and, and_p, reduce_and, lambda dt: np.array(-1).astype(dt)),
        (bitwise_or, or_p, reduce_or, lambda dt: np.array(0, dt)),
        (bitwise_xor, xor_p, reduce_xor, lambda dt: np.array(0, dt)),
    )


def _traced_binop(computation, dtype):
    """The primitive `computation(a, b)` applies, if it is exactly one binary lax op of
    a and b (so `lambda a, b: a + b` or `jnp.maximum` are recognised too)."""
    from ..interpreters.partial_eval import trace_to_jaxpr
    a = aval((), dtype)
    try:
        closed = trace_to_jaxpr(lambda x, y: [computation(x, y)], [a, a], "reduce computation")
    except Exception:  # not traceable as a scalar binary op: the fold will tell
        return None
    jaxpr = closed.jaxpr
    if jaxpr.constvars or len(jaxpr.eqns) != 1:
        return None
    eqn, = jaxpr.eqns
    ins = set(map(id, eqn.invars))
    if ins != set(map(id, jaxpr.invars)) or len(eqn.invars) != 2:
        return None
    if list(jaxpr.outvars) != list(eqn.outvars) or eqn.outvars[0].aval != a:
        return None
    return eqn.primitive


def _find_monoid(computation, dtype):
    table = _monoids()
    # tinyjax.lax's public functions are wrapped (api_boundary): compare the originals
    unwrapped = computation
    while hasattr(unwrapped, "__wrapped__"):
        unwrapped = unwrapped.__wrapped__
    for fn, prim, reducer, identity in table:
        if unwrapped is fn:
            break
    else:
        prim = _traced_binop(computation, dtype)
        for fn, p, reducer, identity in table:
            if p is prim:
                break
        else:
            return None
    if prim in (and_p, or_p, xor_p) and dtype.kind not in "biu":
        return None
    return fn, reducer, identity


def _concrete(x):
    if isinstance(x, Tracer):
        return x.to_concrete_value()
    return np.asarray(x)


def reduce(operands, init_values, computation, dimensions):
    """XLA's Reduce: fold `computation` over `dimensions`, starting from `init_values`.

    `operands` and `init_values` are matching pytrees (arrays and scalars).
    lax.add / mul / max / min / bitwise_and / bitwise_or / bitwise_xor (or a function
    that applies exactly one of them) on a single operand become reduce_sum, ... ;
    an init value other than the identity is then combined once with the result,
    as XLA on CPU does. Any other computation is folded eagerly over concrete
    arrays; under tracing it raises NotImplementedError.

    >>> lax.reduce(jnp.ones((2, 3)), 0., lax.add, (1,))  # doctest: +SKIP
    Array([3., 3.], dtype=float32)
    """
    flat_ops, tree = pytree.tree_flatten(operands)
    flat_inits, init_tree = pytree.tree_flatten(init_values)
    if tree != init_tree:
        raise value_error(
            f"Operands must have the same tree structure as init_values: {tree} vs. {init_tree}")
    if not flat_ops:
        raise type_error("reduce requires at least one operand")
    flat_ops = [asarray(x) for x in flat_ops]
    flat_inits = [asarray(v) for v in flat_inits]
    dims = _static_axes(dimensions, "dimensions")
    bad_inits = [tuple(v.shape) for v in flat_inits if v.shape != ()]
    if bad_inits:
        raise value_error(f"reduce found non-scalar initial value: {bad_inits}")
    shape0 = tuple(flat_ops[0].shape)
    if any(tuple(x.shape) != shape0 for x in flat_ops[1:]):
        raise type_error(
            "reduce operands must have equal shapes, got "
            f"{', '.join(str(tuple(x.shape)) for x in flat_ops)}")
    out_shape = _check_axes(flat_ops[0], dims)

    if len(flat_ops) == 1:
        x, init = flat_ops[0], flat_inits[0]
        monoid = _find_monoid(computation, x.dtype)
        if monoid is not None:
            fn, reducer, identity = monoid
            init_val = _concrete(init)
            if init_val is not None and np.equal(init_val, identity(init.dtype)):
                # the identity: the reduction alone (dtype of the operand, as JAX does)
                out = reducer(x, dims)
                if out.weak_type and not init.weak_type:
                    out = convert_element_type(out, out.dtype)
                return pytree.tree_unflatten(tree, [out])
            _check_init_dtypes(flat_ops, flat_inits)
            return pytree.tree_unflatten(tree, [fn(init, reducer(x, dims))])

    _check_init_dtypes(flat_ops, flat_inits)
    if any(isinstance(v, Tracer) for v in flat_ops + flat_inits):
        raise NotImplementedError(
            "lax.reduce of traced values supports only a single operand reduced with "
            "lax.add, lax.mul, lax.max, lax.min, lax.bitwise_and, lax.bitwise_or or "
            f"lax.bitwise_xor; got computation {getattr(computation, '__name__', computation)!r} "
            f"on {len(flat_ops)} operand(s). Other computations are folded eagerly on concrete "
            "arrays only.")
    return _fold(flat_ops, flat_inits, tree, computation, dims, out_shape)


def _check_init_dtypes(flat_ops, flat_inits):
    if any(x.dtype != v.dtype for x, v in zip(flat_ops, flat_inits)):
        raise type_error(
            "reduce operand dtypes should match corresponding initial value dtypes, got "
            f"operands={[_aval_str(x) for x in flat_ops]} and "
            f"initial_values={[_aval_str(v) for v in flat_inits]}")


def _fold(flat_ops, flat_inits, tree, computation, dims, out_shape):
    """Eager reduce: acc = computation(acc, slice) over the flattened reduced axes,
    each step a whole-array operation on the kept axes."""
    n = 1
    for d in dims:
        n *= flat_ops[0].shape[d]
    moved = [np.asarray(x).transpose(dims + tuple(i for i in range(x.ndim) if i not in dims))
             .reshape((n,) + out_shape) for x in flat_ops]
    acc = [Array(np.broadcast_to(np.asarray(v), out_shape).copy(), x.weak_type and v.weak_type)
           for x, v in zip(flat_ops, flat_inits)]
    for i in range(n):
        elem = [Array(m[i].copy(), x.weak_type) for m, x in zip(moved, flat_ops)]
        out = computation(pytree.tree_unflatten(tree, acc), pytree.tree_unflatten(tree, elem))
        flat_out, out_tree = pytree.tree_flatten(out)
        if out_tree != tree:
            raise type_error(
                f"reduce computation must return the structure of its operands ({tree}), "
                f"got {out_tree}")
        acc = [asarray(o) for o in flat_out]
    return pytree.tree_unflatten(tree, acc)


# ----------------------------------------------------------------------------- cumulative

def _cumulative_rule(name, float_only=False):
    def rule(x, *, axis, reverse):
        _check_number(name, x.dtype)
        if float_only and x.dtype.kind != "f":
            raise type_error(f"{name} requires a floating-point operand, got {x.dtype.name}.")
        if axis < 0:
            raise value_error(f"{name}: XLA operations do not allow negative axes, got {axis}")
        if axis >= x.ndim:
            raise value_error(f"{name}: axis {axis} is out of bounds for array of shape {x.shape}")
        return aval(x.shape, x.dtype, x.weak_type)
    rule.__name__ = f"_{name}_rule"
    return rule


def _cumulative_impl(accumulate, fix=None):
    """Accumulate along `axis` (flipped for reverse) in the accumulation dtype."""
    def impl(x, *, axis, reverse):
        y = np.flip(x, axis) if reverse else x
        r = accumulate(y.astype(_acc_dtype(y.dtype), copy=False), axis)
        if fix is not None:
            r = fix(r, y, axis)
        r = r.astype(x.dtype, copy=False)
        return np.flip(r, axis) if reverse else r
    return impl


def _cummax_fix(r, y, axis):
    if y.dtype.kind != "f":
        return r
    return _fix_zero_sign(r, np.logical_or.accumulate(_pos_zeros(y), axis=axis))


def _cummin_fix(r, y, axis):
    if y.dtype.kind != "f":
        return r
    return _fix_zero_sign(r, ~np.logical_or.accumulate(_neg_zeros(y), axis=axis))


def _cumsum_fix(r, y, axis):
    # XLA adds each window to +0.0 (-0.0 sums become +0.0), except for length-1 axes
    if y.dtype.kind == "f" and y.shape[axis] > 1:
        return r + r.dtype.type(0)
    return r


cumsum_p = def_primitive("cumsum", _cumulative_rule("cumsum"), _cumulative_impl(
    lambda y, axis: np.add.accumulate(y, axis=axis, dtype=y.dtype), _cumsum_fix))
cumprod_p = def_primitive("cumprod", _cumulative_rule("cumprod"), _cumulative_impl(
    lambda y, axis: np.multiply.accumulate(y, axis=axis, dtype=y.dtype)))
# np.maximum/np.minimum propagate NaN, as XLA's max/min do
cummax_p = def_primitive("cummax", _cumulative_rule("cummax"), _cumulative_impl(
    lambda y, axis: np.maximum.accumulate(y, axis=axis), _cummax_fix))
cummin_p = def_primitive("cummin", _cumulative_rule("cummin"), _cumulative_impl(
    lambda y, axis: np.minimum.accumulate(y, axis=axis), _cummin_fix))
# logaddexp is the numerically stable log(exp(a) + exp(b)), exact for -inf
cumlogsumexp_p = def_primitive("cumlogsumexp", _cumulative_rule("cumlogsumexp", True),
                               _cumulative_impl(
                                   lambda y, axis: np.logaddexp.accumulate(y, axis=axis)))


# ------------------------------------------------------------ derivatives of the cumulative ops

# cumsum is linear; its transpose sums the cotangent from the other end.
deflinear(cumsum_p, lambda ct, x, *, axis, reverse: [cumsum(ct, axis, not reverse)])


def _interleave(a, b, axis: int):
    """[a0, b0, a1, b1, ...] along `axis` (a has as many elements as b, or one more)."""
    same = a.shape[axis] == b.shape[axis]
    cfg_a = [(0, 0, 0)] * a.ndim
    cfg_b = [(0, 0, 0)] * b.ndim
    cfg_a[axis] = (0, 1 if same else 0, 1)
    cfg_b[axis] = (1, 0 if same else 1, 1)
    return add(_shapes.pad(a, _const(a, 0), cfg_a), _shapes.pad(b, _const(b, 0), cfg_b))


def _scan_jvp(combine, x, t, axis: int, need_x: bool = True):
    """Inclusive prefix scan of the pairs (x, t) along `axis`, where
    combine(a, ta, b, tb) = (a . b, its tangent). Recursive doubling (JAX's
    associative_scan): O(n) work in O(log n) lax ops, each differentiable again.
    Returns (scanned x or None, scanned t)."""
    n = x.shape[axis]
    if n < 2:
        return x, t

    def sl(v, start, stop, stride=1):
        return _ix.slice_in_dim(v, start, stop, stride, axis)

    # pairs (0, 1), (2, 3), ...; scanning them gives the prefixes ending at 1, 3, 5, ...
    x_pairs, t_pairs = combine(sl(x, 0, n - 1, 2), sl(t, 0, n - 1, 2),
                               sl(x, 1, n, 2), sl(t, 1, n, 2))
    x_odd, t_odd = _scan_jvp(combine, x_pairs, t_pairs, axis)
    # the prefixes ending at 2, 4, ...: the odd prefix before, then the element
    m = (n - 1) // 2
    x_even, t_even = sl(x, 0, 1), sl(t, 0, 1)
    if m:
        xe, te = combine(sl(x_odd, 0, m), sl(t_odd, 0, m), sl(x, 2, n, 2), sl(t, 2, n, 2))
        x_even = _shapes.concatenate([x_even, xe], axis) if need_x else None
        t_even = _shapes.concatenate([t_even, te], axis)
    x_out = _interleave(x_even, x_odd, axis) if need_x else None
    return x_out, _interleave(t_even, t_odd, axis)


def _mul_combine(a, ta, b, tb):
    return mul(a, b), add(mul(ta, b), mul(a, tb))


def _chooser_combine(op):
    def combine(a, ta, b, tb):
        out = op(a, b)
        a_is = _ew.convert_element_type(_ew.eq(a, out), ta.dtype)
        b_is = _ew.convert_element_type(_ew.eq(b, out), ta.dtype)
        # ties share the tangent equally, as JAX's max/min JVPs do
        one = _const(ta, 1)
        wa = _ew.div(a_is, add(one, b_is))
        wb = _ew.div(b_is, add(one, a_is))
        return out, add(mul(ta, wa), mul(tb, wb))
    return combine


def _replace_posinf(v):
    return _ew.select_n(_ew.eq(v, _const(v, np.inf)), v, _zeros(v))


def _logaddexp_combine(a, ta, b, tb):
    delta = _ew.sub(a, b)
    out = _ew.select_n(
        _ew.ne(delta, delta),  # NaN, or infinities of one sign: a + b says which
        add(max(a, b), _ew.log1p(_ew.exp(_ew.neg(_ew.abs(delta))))),
        add(a, b))
    r_out = _replace_posinf(out)
    ga = _ew.exp(_ew.sub(_replace_posinf(a), r_out))
    gb = _ew.exp(_ew.sub(_replace_posinf(b), r_out))
    return out, add(mul(ta, ga), mul(tb, gb))


def _def_cumulative_jvp(prim, combine):
    # the JVP of the associative scan of `combine` (JAX's rule for cumprod, cummax,
    # cummin and cumlogsumexp): with zeros, ties and infinities it agrees with JAX
    def jvp(primals, tangents, *, axis, reverse):
        x, = primals
        t, = tangents
        out = prim.bind(x, axis=axis, reverse=reverse)
        if reverse:
            x, t = _shapes.rev(x, (axis,)), _shapes.rev(t, (axis,))
        _, t_out = _scan_jvp(combine, x, t, axis, need_x=False)
        if reverse:
            t_out = _shapes.rev(t_out, (axis,))
        return out, t_out
    jvp_rules[prim] = jvp


_def_cumulative_jvp(cumprod_p, _mul_combine)
_def_cumulative_jvp(cummax_p, _chooser_combine(max))
_def_cumulative_jvp(cummin_p, _chooser_combine(min))
_def_cumulative_jvp(cumlogsumexp_p, _logaddexp_combine)


def _cumulative_batch_rule(prim):
    # scan along the same logical axis, shifted past the batch dim, which stays put
    def rule(vals, dims, *, axis, reverse):
        (x,), (d,) = vals, dims
        return prim.bind(x, axis=axis + (axis >= d), reverse=reverse), d
    batching_rules[prim] = rule


for _p in (cumsum_p, cumprod_p, cummax_p, cummin_p, cumlogsumexp_p):
    _cumulative_batch_rule(_p)
del _p


def cumsum(operand, axis: int = 0, reverse: bool = False) -> Array:
    """Cumulative sum along a non-negative `axis` (from the end if `reverse`).

    >>> lax.cumsum(jnp.array([1, 2, 3]))  # doctest: +SKIP
    Array([1, 3, 6], dtype=int32)
    """
    return cumsum_p.bind(asarray(operand), axis=_static_int(axis, "axis"), reverse=bool(reverse))


def cumprod(operand, axis: int = 0, reverse: bool = False) -> Array:
    """Cumulative product along `axis` (from the end if `reverse`).

    >>> lax.cumprod(jnp.array([1, 2, 3]), reverse=True)  # doctest: +SKIP
    Array([6, 6, 3], dtype=int32)
    """
    return cumprod_p.bind(asarray(operand), axis=_static_int(axis, "axis"), reverse=bool(reverse))


def cummax(operand, axis: int = 0, reverse: bool = False) -> Array:
    """Running maximum along `axis`; NaN from the first NaN on.

    >>> lax.cummax(jnp.array([1., 3., 2.]))  # doctest: +SKIP
    Array([1., 3., 3.], dtype=float32)
    """
    return cummax_p.bind(asarray(operand), axis=_static_int(axis, "axis"), reverse=bool(reverse))


def cummin(operand, axis: int = 0, reverse: bool = False) -> Array:
    """Running minimum along `axis`; NaN from the first NaN on.

    >>> lax.cummin(jnp.array([3., 1., 2.]))  # doctest: +SKIP
    Array([3., 1., 1.], dtype=float32)
    """
    return cummin_p.bind(asarray(operand), axis=_static_int(axis, "axis"), reverse=bool(reverse))


def cumlogsumexp(operand, axis: int = 0, reverse: bool = False) -> Array:
    """Running log(sum(exp(x))) along `axis`, computed stably (floats only).

    >>> lax.cumlogsumexp(jnp.array([0., 0.]))  # doctest: +SKIP
    Array([0.       , 0.6931472], dtype=float32)
    """
    return cumlogsumexp_p.bind(asarray(operand), axis=_static_int(axis, "axis"),
                               reverse=bool(reverse))


# ----------------------------------------------------------------------------- sort

def _total_order_key(x):
    """An integer array ordered as x's elements are in the IEEE total order
    (floats), False < True (bool), or numerically (ints)."""
    if x.dtype == np.bool_:
        return x.view(np.uint8)
    if x.dtype.kind != "f":
        return x
    bits = np.ascontiguousarray(x).view(np.dtype(f"i{x.dtype.itemsize}"))
    # negative floats: flip the magnitude bits so larger magnitude sorts lower
    return np.where(bits < 0, bits ^ np.iinfo(bits.dtype).max, bits)


def _sort_key(x):
    """The key lax.sort compares: -0.0 as +0.0 and every NaN as +NaN."""
    if x.dtype.kind == "f":
        t = x.dtype.type
        x = np.where(x == 0, t(0), x)
        x = np.where(np.isnan(x), t(np.nan), x)
    return _total_order_key(x)


def _sort_rule(*operands, dimension, is_stable, num_keys):
    if not operands:
        raise type_error("Sort requires at least one operand")
    shape = operands[0].shape
    if any(o.shape != shape for o in operands[1:]):
        raise type_error(
            "Arguments to sort must have equal shapes, got: "
            + " ".join(str(tuple(o.shape)) for o in operands))
    if not 0 <= dimension < len(shape):
        raise value_error(f"sort: dimension {dimension} is out of bounds for shape {shape}")
    if not 1 <= num_keys <= len(operands):
        raise value_error(f"num_keys={num_keys} must be between 1 and len(operand)={len(operands)}")
    return [aval(o.shape, o.dtype, o.weak_type) for o in operands]


def _sort_impl(*operands, dimension, is_stable, num_keys):
    keys = [_sort_key(o) for o in operands[:num_keys]]
    if num_keys == 1:
        perm = np.argsort(keys[0], axis=dimension, kind="stable")
    else:
        # lexsort's last key is the primary one; it is stable
        perm = np.lexsort(keys[::-1], axis=dimension)
    return [np.take_along_axis(o, perm, axis=dimension) for o in operands]


sort_p = def_primitive("sort", _sort_rule, _sort_impl, multiple_results=True)


def _sort_jvp(primals, tangents, *, dimension, is_stable, num_keys):
    # sort an iota along (a payload after the keys), then move every tangent by the
    # permutation it records
    shape = tuple(primals[0].shape)
    iota = _shapes.broadcasted_iota(np.int32, shape, dimension)
    *outs, perm = sort_p.bind(*primals, iota, dimension=dimension, is_stable=is_stable,
                              num_keys=num_keys)
    tangents_out = [
        Zero.from_value(o) if type(t) is Zero or o.dtype.kind != "f"
        else _take_along_axis(t, perm, dimension)
        for o, t in zip(outs, tangents)]
    return outs, tangents_out


jvp_rules[sort_p] = _sort_jvp


def _sort_batch_rule(vals, dims, *, dimension, is_stable, num_keys):
    # the operands must share one shape: every batch dim goes where the first batched
    # operand has it (unbatched operands are broadcast there); `dimension` shifts past it
    size, d = next((v.shape[d], d) for v, d in zip(vals, dims) if d is not not_mapped)
    ops = [matchaxis(v, vd, d, size) for v, vd in zip(vals, dims)]
    outs = sort_p.bind(*ops, dimension=dimension + (dimension >= d), is_stable=is_stable,
                       num_keys=num_keys)
    return outs, [d] * len(outs)


batching_rules[sort_p] = _sort_batch_rule


def sort(operand, dimension: int = -1, is_stable: bool = True, num_keys: int = 1):
    """Sort along `dimension`; a sequence of arrays is sorted by its first `num_keys`
    arrays lexicographically and the rest follow the same permutation.

    Floats sort with -0.0 == 0.0 and NaNs last; the sort is stable.

    >>> lax.sort(jnp.array([3., jnp.nan, -1.]))  # doctest: +SKIP
    Array([-1.,  3., nan], dtype=float32)
    >>> lax.sort((jnp.array([1, 0, 1]), jnp.array([5., 6., 7.])))  # doctest: +SKIP
    (Array([0, 1, 1], dtype=int32), Array([6., 5., 7.], dtype=float32))
    """
    num_keys = _static_int(num_keys, "num_keys")
    if isinstance(operand, (list, tuple)):
        if not operand:
            raise type_error("Sort requires at least one operand")
        if not 1 <= num_keys <= len(operand):
            raise value_error(
                f"num_keys={num_keys} must be between 1 and len(operand)={len(operand)}")
        ops = [asarray(o) for o in operand]
        dim = _canonicalize_axis(_static_int(dimension, "dimension"), len(ops[0].shape))
        return tuple(sort_p.bind(*ops, dimension=dim, is_stable=bool(is_stable),
                                 num_keys=num_keys))
    if num_keys != 1:
        raise value_error(f"num_keys={num_keys} must equal 1 for a single operand.")
    x = asarray(operand)
    dim = _canonicalize_axis(_static_int(dimension, "dimension"), len(x.shape))
    return sort_p.bind(x, dimension=dim, is_stable=bool(is_stable), num_keys=1)[0]


def sort_key_val(keys, values, dimension: int = -1, is_stable: bool = True):
    """Sort `keys` along `dimension` and apply the same permutation to `values`.

    >>> lax.sort_key_val(jnp.array([2, 1]), jnp.array([10., 20.]))  # doctest: +SKIP
    (Array([1, 2], dtype=int32), Array([20., 10.], dtype=float32))
    """
    k, v = asarray(keys), asarray(values)
    dim = _canonicalize_axis(_static_int(dimension, "dimension"), len(k.shape))
    k, v = sort_p.bind(k, v, dimension=dim, is_stable=bool(is_stable), num_keys=1)
    return k, v


# ----------------------------------------------------------------------------- top_k

def _top_k_rule(x, *, k, axis):
    if k < 0:
        raise value_error(f"k argument to top_k must be nonnegative, got {k}")
    if x.ndim == 0:
        raise type_error(f"top_k operand must have >= 1 dimension, got {x.shape}")
    if not 0 <= axis < x.ndim:
        raise value_error(f"axis argument out of range: axis={axis} for operand.shape={x.shape}")
    if x.shape[axis] < k:
        raise value_error(
            "k argument to top_k must be no larger than size along axis; got "
            f"k={k} with shape={list(x.shape)} and axis={axis}")
    shape = x.shape[:axis] + (k,) + x.shape[axis + 1:]
    # JAX keeps the operand's weak type on the int32 indices too
    return [aval(shape, x.dtype, x.weak_type), aval(shape, np.int32, x.weak_type)]


def _top_k_impl(x, *, k, axis):
    # ~key reverses the order of the (signed or unsigned) integer keys without overflow
    perm = np.argsort(~_total_order_key(x), axis=axis, kind="stable")
    idx = np.take(perm, np.arange(k), axis=axis)
    return [np.take_along_axis(x, idx, axis=axis), idx.astype(np.int32)]


top_k_p = def_primitive("top_k", _top_k_rule, _top_k_impl, multiple_results=True)


def _top_k_jvp(primals, tangents, *, k, axis):
    # the values' tangent is the operand's tangent at the returned indices
    x, = primals
    t, = tangents
    values, indices = top_k_p.bind(x, k=k, axis=axis)
    return [values, indices], [_take_along_axis(t, indices, axis), Zero.from_value(indices)]


jvp_rules[top_k_p] = _top_k_jvp


def _top_k_batch_rule(vals, dims, *, k, axis):
    (x,), (d,) = vals, dims
    if d == x.ndim - 1 and axis == x.ndim - 2:
        # a batch dim after the (last) top_k axis would make it a middle axis: keep the
        # operated-on axis last by moving the batch dim to the front
        x, d = moveaxis(x, d, 0), 0
    values, indices = top_k_p.bind(x, k=k, axis=axis + (axis >= d))
    return [values, indices], [d, d]


batching_rules[top_k_p] = _top_k_batch_rule


def top_k(operand, k: int, *, axis: int = -1):
    """The `k` largest entries along `axis` (default last) and their int32 indices,
    largest first; ties put the lower index first; +NaN ranks above +inf.

    >>> lax.top_k(jnp.array([9., 3., 6., 4., 10.]), 3)  # doctest: +SKIP
    (Array([10.,  9.,  6.], dtype=float32), Array([4, 0, 2], dtype=int32))
    """
    k = _static_int(k, "k")
    if k < 0:
        raise value_error(f"k argument to top_k must be nonnegative, got {k}")
    x = asarray(operand)
    ax = _canonicalize_axis(_static_int(axis, "axis"), len(x.shape))
    values, indices = top_k_p.bind(x, k=k, axis=ax)
    return values, indices
