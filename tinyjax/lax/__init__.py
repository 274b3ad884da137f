"""tinyjax.lax: the primitive set, mirroring `jax.lax` names and signatures."""
from ..core.errors import wrap_namespace as _wrap_namespace
from . import linalg as linalg  # noqa: F401
from .cond import *  # noqa: F401,F403
from .convolution import *  # noqa: F401,F403
from .elementwise import *  # noqa: F401,F403
from .indexing import *  # noqa: F401,F403
from .loops import *  # noqa: F401,F403
from .parallel import *  # noqa: F401,F403
from .reductions import *  # noqa: F401,F403
from .scan import *  # noqa: F401,F403
from .shapes import *  # noqa: F401,F403

_wrap_namespace(globals())
