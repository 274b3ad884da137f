"""Lowering rules: reductions (fusible with their producers), cumulative ops, sort."""
from __future__ import annotations

from ..lax import reductions as red
from . import kir
from .rules import def_expr


def _reduce_rule(op_name, init_value):
    def rule(ctx, idx, x):
        axes = ctx.params["axes"]
        it = iter(idx)
        full, loops = [], []
        for d, n in enumerate(x.shape):
            if d in axes:
                v = kir.fresh("r")
                loops.append((v, n))
                full.append(v)
            else:
                full.append(next(it))
        init = kir.const(init_value, x.dtype)
        return kir.reduce(op_name, init, loops, x(tuple(full)))
    return rule


def _reduce_cost(ctx):
    n = 1
    for d in ctx.params["axes"]:
        n *= ctx.in_avals[0].shape[d]
    return 1 + n


def_expr(red.reduce_sum_p, _reduce_rule("add", 0), cost=_reduce_cost)
