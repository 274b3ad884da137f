"""tinyjax.core: dtypes, abstract values, primitives and traces, the jaxpr IR,
pytrees, the Array type, config and errors. Knows nothing of numerics."""
from .abstract import ShapedArray as ShapedArray, raise_to_shaped as raise_to_shaped
from .array import Array as Array, Device as Device
from .config import config as config
from .jaxpr import (
    ClosedJaxpr as ClosedJaxpr,
    DropVar as DropVar,
    Jaxpr as Jaxpr,
    JaxprEqn as JaxprEqn,
    Literal as Literal,
    Var as Var,
    check_jaxpr as check_jaxpr,
)
from .trace import (
    MainTrace as MainTrace,
    Primitive as Primitive,
    Trace as Trace,
    Tracer as Tracer,
    abstract_eval_rules as abstract_eval_rules,
    new_main as new_main,
)
