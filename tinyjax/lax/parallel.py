"""Collectives over named axes: psum, pmean, pmax, pmin, all_gather, ppermute,
axis_index. Inside `vmap(..., axis_name=name)` they act across the mapped axis; this
named-axis behaviour is the reference semantics pmap reuses. Outside any binding of
the name they raise NameError."""
from __future__ import annotations

import numpy as np

from ..core import batch_util, pytree
from ..core import trace as _core_trace
from ..core.abstract import ShapedArray
from ..core.trace import Primitive, Tracer, abstract_eval_rules
from ..interpreters import ad
from ..interpreters.batching import BatchTracer, collective_rules, moveaxis, not_mapped
from ..interpreters.eval import array_impl_rules
from ._base import asarray, type_error
from .elementwise import convert_element_type, div, eq, mul
from .indexing import GatherDimensionNumbers, GatherScatterMode, gather
from .reductions import reduce_max, reduce_min, reduce_sum
from .shapes import full, iota, reshape

__all__ = ["all_gather", "axis_index", "pmax", "pmean", "pmin", "ppermute", "psum",
           "all_gather_p", "pmax_p", "pmin_p", "ppermute_p", "psum_p"]


def _names(axis_name) -> tuple:
    return tuple(axis_name) if isinstance(axis_name, (tuple, list)) else (axis_name,)


def _bind_collective(prim, x, axes, **params):
    """Bind `prim` on x at the innermost trace that binds one of `axes`."""
    if not axes:
        return x
    frames = [batch_util.axis_frame(n) for n in axes]
    inner = max(frames, key=lambda f: f.main.level)
    x = asarray(x)
    if isinstance(x, Tracer) and x._trace.main.level > inner.main.level:
        t = x  # a deeper transformation sees it first and passes it down
    else:
        t = inner.main.trace().full_raise(x)
    return prim.bind(t, axes=tuple(axes), **params)


def _unbound_impl(name):
    def impl(x, *, axes, **params):
        raise NameError(f"unbound axis name: {axes[0]}. {name} must be called inside vmap "
                        f"(axis_name=...) or pmap binding that name.")
    return impl


def _same_aval(x, *, axes, **params):
    return x


def _def_collective(name, reduce_own):
    """A reduction across named axes; `reduce_own(trace, x, d)` reduces this trace's
    own axis (x batched at d, or unmapped when d is None)."""
    p = Primitive(name)
    abstract_eval_rules[p] = _same_aval
    array_impl_rules[p] = _unbound_impl(name)

    def rule(trace, vals, dims, *, axes):
        (x,), (d,) = vals, dims
        own = trace.frame.name
        if own not in axes:
            return _bind_collective(p, x, axes), d
        out = reduce_own(trace, x, d)
        rest = tuple(a for a in axes if a != own)
        return _bind_collective(p, out, rest), not_mapped

    collective_rules[p] = rule
    return p


def _psum_own(trace, x, d):
    if d is not_mapped:
        return mul(x, full((), trace.frame.size, x.dtype))
    return reduce_sum(x, (d,))


psum_p = _def_collective("psum", _psum_own)
pmax_p = _def_collective("pmax", lambda trace, x, d: x if d is not_mapped else
                         reduce_max(x, (d,)))
pmin_p = _def_collective("pmin", lambda trace, x, d: x if d is not_mapped else
                         reduce_min(x, (d,)))
# psum is linear: its derivative is psum of the tangent, its transpose psum of the cotangent
ad.deflinear(psum_p, lambda ct, x, *, axes: [_bind_collective(psum_p, ct, axes)])


def _chooser_jvp(prim):
    # like reduce_max's: the tangent of the chosen members, averaged over ties
    def jvp(primals, tangents, *, axes):
        (x,), (g,) = primals, tangents
        out = _bind_collective(prim, x, axes)
        if type(g) is ad.Zero:
            return out, ad.Zero.from_value(out)
        mask = convert_element_type(eq(x, out), x.dtype)
        num = _bind_collective(psum_p, mul(g, mask), axes)
        den = _bind_collective(psum_p, mask, axes)
        return out, div(num, den)
    ad.jvp_rules[prim] = jvp


_chooser_jvp(pmax_p)
_chooser_jvp(pmin_p)


def psum(x, axis_name, *, axis_index_groups=None):
    """Sum of x over the named axis (or axes), the same value on every member.

    >>> vmap(lambda v: lax.psum(v, 'i'), axis_name='i')(jnp.arange(3.0))  # doctest: +SKIP
    Array([3., 3., 3.], dtype=float32)
    """
    if axis_index_groups is not None:
        raise NotImplementedError("axis_index_groups is not supported")
    names = _names(axis_name)
    return pytree.tree_map(lambda v: _bind_collective(psum_p, v, names), x)


def pmean(x, axis_name, *, axis_index_groups=None):
    """Mean of x over the named axis (or axes)."""
    names = _names(axis_name)
    n = 1
    for name in names:
        n *= batch_util.axis_frame(name).size

    def one(v):
        s = _bind_collective(psum_p, v, names)
        if s.dtype.kind != "f":
            s = convert_element_type(s, np.float32)
        return div(s, full((), n, s.dtype))

    return pytree.tree_map(one, x)


def pmax(x, axis_name, *, axis_index_groups=None):
    """Maximum of x over the named axis (or axes)."""
    return pytree.tree_map(lambda v: _bind_collective(pmax_p, v, _names(axis_name)), x)


def pmin(x, axis_name, *, axis_index_groups=None):
    """Minimum of x over the named axis (or axes)."""
    return pytree.tree_map(lambda v: _bind_collective(pmin_p, v, _names(axis_name)), x)


# ----------------------------------------------------------------------------- all_gather

all_gather_p = Primitive("all_gather")


def _all_gather_aval(x, *, axes, axis, tiled, size):
    shape = list(x.shape)
    if tiled:
        shape[axis] *= size
    else:
        shape.insert(axis, size)
    return ShapedArray(tuple(shape), x.dtype, x.weak_type)


abstract_eval_rules[all_gather_p] = _all_gather_aval
array_impl_rules[all_gather_p] = _unbound_impl("all_gather")


def _all_gather_rule(trace, vals, dims, *, axes, axis, tiled, size):
    (x,), (d,) = vals, dims
    own = trace.frame.name
    if own not in axes:
        return _bind_collective(all_gather_p, x, axes, axis=axis, tiled=tiled, size=size), d
    if d is not_mapped:
        x = batch_util.broadcast(x, trace.frame.size, axis)
    else:
        x = moveaxis(x, d, axis)
    if tiled:
        shape = list(x.shape)
        n = shape.pop(axis)
        shape[axis] *= n
        x = reshape(x, tuple(shape))
    return x, not_mapped


collective_rules[all_gather_p] = _all_gather_rule
# linear: the tangent is gathered like the value
ad.defjvp(all_gather_p, lambda g, x, *, axes, axis, tiled, size: _bind_collective(
    all_gather_p, g, axes, axis=axis, tiled=tiled, size=size))


def all_gather(x, axis_name, *, axis_index_groups=None, axis: int = 0, tiled: bool = False):
    """Every member's x, stacked along a new `axis` (concatenated when tiled)."""
    (name,) = _names(axis_name)
    size = batch_util.axis_frame(name).size

    def one(v):
        v = asarray(v)
        a = axis % (len(v.shape) + (0 if tiled else 1))
        return _bind_collective(all_gather_p, v, (name,), axis=a, tiled=tiled, size=size)

    return pytree.tree_map(one, x)


# ----------------------------------------------------------------------------- ppermute

ppermute_p = Primitive("ppermute")
abstract_eval_rules[ppermute_p] = lambda x, *, axes, perm: x
array_impl_rules[ppermute_p] = _unbound_impl("ppermute")


def _ppermute_rule(trace, vals, dims, *, axes, perm):
    (x,), (d,) = vals, dims
    own = trace.frame.name
    if own not in axes:
        return _bind_collective(ppermute_p, x, axes, perm=perm), d
    size = trace.frame.size
    if d is not_mapped:
        x = batch_util.broadcast(x, size, 0)
    else:
        x = moveaxis(x, d, 0)
    src = np.full(size, size, np.int32)  # out-of-range source: filled with zeros
    for s, t in perm:
        src[t] = s
    rest = tuple(x.shape[1:])
    dn = GatherDimensionNumbers(offset_dims=tuple(range(1, 1 + len(rest))),
                                collapsed_slice_dims=(0,), start_index_map=(0,))
    out = gather(x, src.reshape(size, 1), dn, (1,) + rest, mode=GatherScatterMode.FILL_OR_DROP,
                 fill_value=0)
    return out, 0


collective_rules[ppermute_p] = _ppermute_rule
ad.deflinear(ppermute_p, lambda ct, x, *, axes, perm: [
    _bind_collective(ppermute_p, ct, axes, perm=tuple((t, s) for s, t in perm))])


def ppermute(x, axis_name, perm):
    """Send each member's x to another: `perm` lists (source, destination) index pairs;
    members that receive nothing get zeros."""
    (name,) = _names(axis_name)
    perm = tuple((int(s), int(t)) for s, t in perm)
    size = batch_util.axis_frame(name).size
    dests = [t for _, t in perm]
    if len(set(dests)) != len(dests) or len({s for s, _ in perm}) != len(perm):
        raise ValueError(f"ppermute sources and destinations must be unique, got {perm}")
    if any(not 0 <= i < size for pair in perm for i in pair):
        raise ValueError(f"ppermute indices must be in [0, {size}), got {perm}")
    return pytree.tree_map(lambda v: _bind_collective(ppermute_p, v, (name,), perm=perm), x)


# ----------------------------------------------------------------------------- axis_index

class _AxisIndexPrimitive(Primitive):
    """`axis_index` reads the axis environment rather than operands, so it binds by
    itself: under the vmap that owns the axis it is that vmap's iota; inside a trace
    nested deeper (jit, cond, a loop body under that vmap) it is staged as an
    equation, which the batching of the enclosing call resolves."""

    __slots__ = ()

    def bind(self, *args, axis_name):
        frame = batch_util.axis_frame(axis_name)
        dyn = _core_trace._state.dynamic
        if frame.main.level > dyn.level:
            trace = frame.main.trace()
            return BatchTracer(trace, iota(np.dtype(np.int32), frame.size), 0)
        return dyn.trace().process_primitive(self, [], {"axis_name": axis_name})


axis_index_p = _AxisIndexPrimitive("axis_index")
abstract_eval_rules[axis_index_p] = lambda *, axis_name: ShapedArray((), np.dtype(np.int32))


def axis_index(axis_name):
    """This member's index along the named axis (an int32 scalar per member)."""
    return axis_index_p.bind(axis_name=axis_name)


def _check_scalar_name(axis_name):
    if isinstance(axis_name, (list, dict)):
        raise type_error(f"axis_name must be a hashable name or a tuple of names, got "
                         f"{axis_name!r}")

