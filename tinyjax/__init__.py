"""tinyjax: a JAX-style array-transformation framework in pure Python.

>>> import tinyjax, tinyjax.numpy as jnp
>>> tinyjax.make_jaxpr(lambda x: jnp.sin(x) * 2.0)(jnp.ones(3))
{ lambda ; a:f32[3]. let b:f32[3] = sin a; c:f32[3] = mul b 2.0:f32[] in (c,) }
"""
from . import interpreters  # noqa: F401  (installs the eager interpreter)
from . import lax as lax
from . import nn as nn
from . import numpy as numpy
from . import random as random
from . import scipy as scipy
from . import tree as tree
from . import tree_util as tree_util
from ._vectorize import vectorize as _vectorize
from .api import ShapeDtypeStruct as ShapeDtypeStruct
from .api import block_until_ready as block_until_ready
from .api import device_put as device_put
from .api import eval_shape as eval_shape
from .api import make_jaxpr as make_jaxpr
from .autodiff import grad as grad
from .autodiff import hessian as hessian
from .autodiff import jacfwd as jacfwd
from .autodiff import jacrev as jacrev
from .autodiff import jvp as jvp
from .autodiff import linear_transpose as linear_transpose
from .autodiff import linearize as linearize
from .autodiff import value_and_grad as value_and_grad
from .autodiff import vjp as vjp
from .checkpoint import checkpoint as checkpoint
from .checkpoint import checkpoint_policies as checkpoint_policies
from .checkpoint import remat as remat
from .core import errors as errors
from .core.array import Array as Array
from .core.array import Device as Device
from .core.array import device_count as device_count
from .core.array import devices as devices
from .core.array import local_devices as local_devices
from .core.config import config as config
from .core.pytree import Partial as Partial  # noqa: F401
from .custom_derivatives import closure_convert as closure_convert
from .custom_derivatives import custom_jvp as custom_jvp
from .custom_derivatives import custom_vjp as custom_vjp
from .interpreters import eval as _eval  # noqa: F401
from .pjit import disable_jit as disable_jit
from .pjit import jit as jit
from .vmap import vmap as vmap

# jnp.vectorize is built on vmap, above the numpy layer: installed from here
numpy.vectorize = _vectorize

__version__ = "0.1.0"
