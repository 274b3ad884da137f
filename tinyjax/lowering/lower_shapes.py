"""Lowering rules: shape and layout primitives (index maps, fusible)."""
from __future__ import annotations

from ..lax import elementwise as ew
from ..lax import shapes as sh
from . import kir
from .rules import def_elementwise, def_expr


def _broadcast_in_dim(ctx, idx, x):
    dims = ctx.params["broadcast_dimensions"]
    return x(tuple(kir.const(0) if x.shape[k] == 1 else idx[d] for k, d in enumerate(dims)))


def_expr(sh.broadcast_in_dim_p, _broadcast_in_dim, cost=0,
         reads_once=lambda ctx: ctx.in_avals[0].size == ctx.out_aval.size)
def_elementwise(ew.convert_element_type_p, lambda ctx, x: kir.cast(x, ctx.out_dtype))
