"""tinyjax's compiler: jaxpr -> fused kernels -> LLVM IR -> machine code.

Importing this package registers every lowering rule (one module per family)."""
from . import control as _control  # noqa: E402
from . import lower_conv as _lower_conv  # noqa: F401
from . import lower_elementwise as _lower_elementwise  # noqa: F401
from . import lower_indexing as _lower_indexing  # noqa: F401
from . import lower_linalg as _lower_linalg  # noqa: F401
from . import lower_reductions as _lower_reductions  # noqa: F401
from . import lower_shapes as _lower_shapes  # noqa: F401

_control.register()
