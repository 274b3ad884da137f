"""tinyjax.scipy: scipy.special and scipy.linalg on tinyjax arrays."""
from . import linalg as linalg  # noqa: F401
from . import special as special  # noqa: F401
