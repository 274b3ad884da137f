"""tinyjax.core: dtypes, abstract values, primitives and traces, the jaxpr IR,
pytrees, the Array type, config and errors. Knows nothing of numerics."""
from .abstract import ShapedArray as ShapedArray
from .abstract import raise_to_shaped as raise_to_shaped
from .array import Array as Array
from .array import Device as Device
from .config import config as config
from .jaxpr import (
    ClosedJaxpr as ClosedJaxpr,
)
from .jaxpr import (
    DropVar as DropVar,
)
from .jaxpr import (
    Jaxpr as Jaxpr,
)
from .jaxpr import (
    JaxprEqn as JaxprEqn,
)
from .jaxpr import (
    Literal as Literal,
)
from .jaxpr import (
    Var as Var,
)
from .jaxpr import (
    check_jaxpr as check_jaxpr,
)
from .trace import (
    MainTrace as MainTrace,
)
from .trace import (
    Primitive as Primitive,
)
from .trace import (
    Trace as Trace,
)
from .trace import (
    Tracer as Tracer,
)
from .trace import (
    abstract_eval_rules as abstract_eval_rules,
)
from .trace import (
    new_main as new_main,
)
