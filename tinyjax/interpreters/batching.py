"""vmap: the batching interpreter. A BatchTracer is a value with one extra (batch)
dimension at `batch_dim` (or `not_mapped`); each primitive's batching rule maps the
batched operands to batched results without looping over the batch.

`batching_rules[prim](vals, dims, **params) -> (out, out_dim)` (lists for multiple
results); rules are only called when some operand is batched. Collectives, which act
across the named axis itself, use `collective_rules[prim](trace, vals, dims, **params)`.
"""
from __future__ import annotations

import contextlib

from ..core import batch_util
from ..core import trace as core
from ..core.abstract import ShapedArray, raise_to_shaped
from ..core.trace import Trace, Tracer

not_mapped = None

batching_rules: dict = {}
collective_rules: dict = {}


# ----------------------------------------------------------------------------- helpers

def moveaxis(x, src, dst):
    return batch_util.moveaxis(x, src, dst)


def bdim_at_front(x, dim, size):
    """x with its batch dimension first (broadcast along a new one if not mapped)."""
    if dim is not_mapped:
        return batch_util.broadcast(x, size, 0)
    return moveaxis(x, dim, 0)


def matchaxis(x, src, dst, size):
    """Move batch dim `src` of x to `dst` (broadcasting an unmapped x)."""
    if src is not_mapped:
        return batch_util.broadcast(x, size, dst)
    return moveaxis(x, src, dst)


def _ndim(x):
    return len(raise_to_shaped(x).shape)


def defvectorized(prim):
    """Elementwise unary primitives (and any whose rule is "apply to the batch")."""
    def rule(vals, dims, **params):
        (x,), (d,) = vals, dims
        return prim.bind(x, **params), d
    batching_rules[prim] = rule


def defbroadcasting(prim):
    """n-ary elementwise primitives with lax's broadcasting (rank-0 operands and size-1
    dims): batched operands get their batch dim first; unbatched ones get a size-1
    leading dim (or stay rank-0), so lax broadcasts them across the batch."""
    def rule(vals, dims, **params):
        mapped = {d for d in dims if d is not not_mapped}
        if len(mapped) == 1 and len({_ndim(v) for v, d in zip(vals, dims)
                                     if d is not not_mapped}) == 1 and \
                all(_ndim(v) == 0 for v, d in zip(vals, dims) if d is not_mapped):
            # batched operands agree on the batch dim, the rest are scalars: apply as is
            out = prim.bind(*vals, **params)
            d = mapped.pop()
            return (out, [d] * len(out)) if prim.multiple_results else (out, d)
        size = next(raise_to_shaped(v).shape[d] for v, d in zip(vals, dims)
                    if d is not not_mapped)
        rank = max(_ndim(v) - (d is not not_mapped) for v, d in zip(vals, dims))
        args = []
        for v, d in zip(vals, dims):
            if d is not_mapped:
                nd = _ndim(v)
                if nd == 0:
                    args.append(v)
                else:
                    args.append(batch_util.broadcast(v, 1, 0) if nd == rank else
                                _expand_front(v, rank + 1 - nd))
            else:
                v = moveaxis(v, d, 0)
                nd = _ndim(v) - 1
                if nd == 0 and rank > 0:
                    v = _expand_after_batch(v, rank)
                args.append(v)
        del size
        out = prim.bind(*args, **params)
        if prim.multiple_results:
            return out, [0] * len(out)
        return out, 0
    batching_rules[prim] = rule


def _expand_front(x, n):
    for _ in range(n):
        x = batch_util.broadcast(x, 1, 0)
    return x


def _expand_after_batch(x, rank):
    # (B,) -> (B, 1, ..., 1) so a batched scalar broadcasts against rank-`rank` operands
    for i in range(rank):
        x = batch_util.broadcast(x, 1, 1 + i)
    return x


def defreducer(prim, axes_param="axes"):
    """Reductions over static `axes`: shift the axes past the batch dim."""
    def rule(vals, dims, **params):
        (x,), (d,) = vals, dims
        axes = params[axes_param]
        new_axes = tuple(a + (a >= d) for a in axes)
        out = prim.bind(x, **{**params, axes_param: new_axes})
        out_d = d - sum(1 for a in axes if a < d)
        if prim.multiple_results:
            return out, [out_d] * len(out)
        return out, out_d
    batching_rules[prim] = rule


# ----------------------------------------------------------------------------- the trace

class BatchTracer(Tracer):
    __slots__ = ("val", "batch_dim", "_aval")

    def __init__(self, trace, val, batch_dim):
        self._trace = trace
        self.val = val
        self.batch_dim = batch_dim
        self._aval = None

    @property
    def aval(self):
        a = self._aval
        if a is None:
            v = raise_to_shaped(self.val)
            if self.batch_dim is not_mapped:
                a = v
            else:
                shape = v.shape[:self.batch_dim] + v.shape[self.batch_dim + 1:]
                a = ShapedArray(shape, v.dtype, v.weak_type)
            self._aval = a
        return a

    def full_lower(self):
        if self.batch_dim is not_mapped:
            return core.full_lower(self.val)
        return self

    def to_concrete_value(self):
        if self.batch_dim is not_mapped:
            v = self.val
            return v.to_concrete_value() if hasattr(v, "to_concrete_value") else None
        return None


class BatchTrace(Trace):
    __slots__ = ()

    @property
    def frame(self) -> batch_util.AxisFrame:
        return self.main.payload

    def pure(self, val):
        return BatchTracer(self, val, not_mapped)

    lift = pure

    def process_primitive(self, prim, tracers, params):
        vals = [t.val for t in tracers]
        dims = [t.batch_dim for t in tracers]
        crule = collective_rules.get(prim)
        if crule is not None:
            out, out_dim = crule(self, vals, dims, **params)
        elif all(d is not_mapped for d in dims):
            return prim.bind(*vals, **params)
        else:
            rule = batching_rules.get(prim)
            if rule is None:
                raise NotImplementedError(f"vmap rule for '{prim}' is not implemented")
            out, out_dim = rule(vals, dims, **params)
        if prim.multiple_results:
            return [BatchTracer(self, o, d) for o, d in zip(out, out_dim)]
        return BatchTracer(self, out, out_dim)

    def description(self) -> str:
        name = self.frame.name
        return f"vmap{'' if name is None else f' (axis {name!r})'}"


@contextlib.contextmanager
def batch_main(axis_size, axis_name=None):
    """A fresh vmap level over a (possibly named) axis of `axis_size`; yields its trace."""
    with core.new_main(BatchTrace) as main:
        frame = batch_util.AxisFrame(axis_name, axis_size, main)
        main.payload = frame
        batch_util.push_axis(frame)
        try:
            yield main.trace()
        finally:
            batch_util.pop_axis()


def batch_flat(fun, vals, in_dims, out_dims, axis_size, axis_name=None):
    """Run `fun` on values batched along `in_dims`; return outputs with their batch
    dims moved to `out_dims` (None: the output must be unbatched)."""
    with batch_main(axis_size, axis_name) as trace:
        tracers = [BatchTracer(trace, v, d) if d is not not_mapped else v
                   for v, d in zip(vals, in_dims)]
        outs = fun(*tracers)
        results = []
        for o, od in zip(outs, out_dims(len(outs)) if callable(out_dims) else out_dims):
            t = trace.full_raise(o)
            v, d = t.val, t.batch_dim
            if od is None:
                if d is not not_mapped:
                    raise ValueError(
                        "vmap has mapped output but out_axes is None: an output that "
                        "depends on the mapped inputs must have an out axis")
                results.append(v)
            else:
                results.append(matchaxis(v, d, od % (_ndim(v) + (d is not_mapped)),
                                         axis_size))
    return results


def batch_eval_jaxpr(closed, vals, batched, axis_size, axis_name=None, force=None):
    """Evaluate a closed jaxpr on `vals` (the `batched` ones carry the batch at axis 0)
    under a fresh vmap. Returns (outputs, which are batched): an output that depends on
    the batch, or one `force`d, comes back batched at axis 0, the others unbatched (what
    the fixpoints of loop and scan batching rules need)."""
    from ..core.jaxpr import eval_jaxpr
    with batch_main(axis_size, axis_name) as trace:
        args = [BatchTracer(trace, v, 0) if b else v for v, b in zip(vals, batched)]
        outs = eval_jaxpr(closed.jaxpr, closed.consts, *args)
        res, res_batched = [], []
        for i, o in enumerate(outs):
            t = trace.full_raise(o)
            if t.batch_dim is not_mapped and not (force is not None and force[i]):
                res.append(t.val)
                res_batched.append(False)
            else:
                res.append(matchaxis(t.val, t.batch_dim, 0, axis_size))
                res_batched.append(True)
    return res, res_batched


__all__ = ["BatchTrace", "BatchTracer", "batch_eval_jaxpr", "batch_flat", "batch_main",
           "batching_rules", "bdim_at_front", "collective_rules", "defbroadcasting", "defreducer", "defvectorized", "matchaxis",
           "moveaxis", "not_mapped"]
