"""Lowering rules: elementwise primitives (scalar expressions, fusible)."""
from __future__ import annotations

from ..lax import elementwise as ew
from . import kir
from .rules import def_elementwise

for _p, _name in ((ew.add_p, "add"), (ew.sub_p, "sub"), (ew.mul_p, "mul")):
    def_elementwise(_p, lambda ctx, x, y, _n=_name: kir.op(_n, x, y))

def_elementwise(ew.exp_p, lambda ctx, x: kir.op("exp", x), cost=20)
