"""tinyjax.numpy: the NumPy API on tinyjax arrays, written only in terms of lax.

>>> import tinyjax.numpy as jnp
>>> jnp.sin(jnp.arange(3.0))
Array([0.       , 0.841471 , 0.9092974], dtype=float32)
"""
# ruff: noqa: F401
import numpy as _np

from ..core.array import Array as ndarray

# families written in their own modules (each lists its public names in __all__)
from ..core.errors import wrap_namespace as _wrap_namespace
from . import array_methods as _array_methods  # installs operators on Array and Tracer
from . import linalg as linalg
from ._convert import array as array
from ._convert import asarray as asarray
from .creation import arange as arange
from .creation import broadcast_to as broadcast_to
from .creation import copy as copy
from .creation import empty as empty
from .creation import empty_like as empty_like
from .creation import eye as eye
from .creation import from_dlpack as from_dlpack
from .creation import frombuffer as frombuffer
from .creation import fromfunction as fromfunction
from .creation import fromiter as fromiter
from .creation import full as full
from .creation import full_like as full_like
from .creation import geomspace as geomspace
from .creation import identity as identity
from .creation import indices as indices
from .creation import linspace as linspace
from .creation import logspace as logspace
from .creation import meshgrid as meshgrid
from .creation import ones as ones
from .creation import ones_like as ones_like
from .creation import tri as tri
from .creation import tril as tril
from .creation import triu as triu
from .creation import zeros as zeros
from .creation import zeros_like as zeros_like
from .index_tricks import *  # noqa: F403
from .indexing import *  # noqa: F403
from .manipulation import *  # noqa: F403
from .misc import *  # noqa: F403
from .numerical import *  # noqa: F403
from .padding import *  # noqa: F403
from .polynomial import *  # noqa: F403
from .products import *  # noqa: F403
from .reductions import *  # noqa: F403
from .scalar_types import bool_ as bool_
from .scalar_types import can_cast as can_cast
from .scalar_types import character as character
from .scalar_types import complexfloating as complexfloating
from .scalar_types import double as double
from .scalar_types import dtype as dtype
from .scalar_types import finfo as finfo
from .scalar_types import flexible as flexible
from .scalar_types import float16 as float16
from .scalar_types import float32 as float32
from .scalar_types import float64 as float64
from .scalar_types import float_ as float_
from .scalar_types import floating as floating
from .scalar_types import generic as generic
from .scalar_types import half as half
from .scalar_types import iinfo as iinfo
from .scalar_types import inexact as inexact
from .scalar_types import int8 as int8
from .scalar_types import int16 as int16
from .scalar_types import int32 as int32
from .scalar_types import int64 as int64
from .scalar_types import int_ as int_
from .scalar_types import integer as integer
from .scalar_types import isdtype as isdtype
from .scalar_types import issubdtype as issubdtype
from .scalar_types import number as number
from .scalar_types import object_ as object_
from .scalar_types import promote_types as promote_types
from .scalar_types import result_type as result_type
from .scalar_types import signedinteger as signedinteger
from .scalar_types import single as single
from .scalar_types import uint as uint
from .scalar_types import uint8 as uint8
from .scalar_types import uint16 as uint16
from .scalar_types import uint32 as uint32
from .scalar_types import uint64 as uint64
from .scalar_types import unsignedinteger as unsignedinteger
from .setops import *  # noqa: F403
from .sorting import *  # noqa: F403
from .statistics import *  # noqa: F403
from .ufuncs import abs as abs
from .ufuncs import absolute as absolute
from .ufuncs import acos as acos
from .ufuncs import acosh as acosh
from .ufuncs import add as add
from .ufuncs import angle as angle
from .ufuncs import arccos as arccos
from .ufuncs import arccosh as arccosh
from .ufuncs import arcsin as arcsin
from .ufuncs import arcsinh as arcsinh
from .ufuncs import arctan as arctan
from .ufuncs import arctan2 as arctan2
from .ufuncs import arctanh as arctanh
from .ufuncs import around as around
from .ufuncs import asin as asin
from .ufuncs import asinh as asinh
from .ufuncs import atan as atan
from .ufuncs import atan2 as atan2
from .ufuncs import atanh as atanh
from .ufuncs import bitwise_and as bitwise_and
from .ufuncs import bitwise_count as bitwise_count
from .ufuncs import bitwise_invert as bitwise_invert
from .ufuncs import bitwise_left_shift as bitwise_left_shift
from .ufuncs import bitwise_not as bitwise_not
from .ufuncs import bitwise_or as bitwise_or
from .ufuncs import bitwise_right_shift as bitwise_right_shift
from .ufuncs import bitwise_xor as bitwise_xor
from .ufuncs import cbrt as cbrt
from .ufuncs import ceil as ceil
from .ufuncs import clip as clip
from .ufuncs import conj as conj
from .ufuncs import conjugate as conjugate
from .ufuncs import copysign as copysign
from .ufuncs import cos as cos
from .ufuncs import cosh as cosh
from .ufuncs import deg2rad as deg2rad
from .ufuncs import degrees as degrees
from .ufuncs import divide as divide
from .ufuncs import divmod as divmod
from .ufuncs import equal as equal
from .ufuncs import exp as exp
from .ufuncs import exp2 as exp2
from .ufuncs import expm1 as expm1
from .ufuncs import fabs as fabs
from .ufuncs import fix as fix
from .ufuncs import float_power as float_power
from .ufuncs import floor as floor
from .ufuncs import floor_divide as floor_divide
from .ufuncs import fmax as fmax
from .ufuncs import fmin as fmin
from .ufuncs import fmod as fmod
from .ufuncs import frexp as frexp
from .ufuncs import gcd as gcd
from .ufuncs import greater as greater
from .ufuncs import greater_equal as greater_equal
from .ufuncs import heaviside as heaviside
from .ufuncs import hypot as hypot
from .ufuncs import imag as imag
from .ufuncs import invert as invert
from .ufuncs import iscomplex as iscomplex
from .ufuncs import iscomplexobj as iscomplexobj
from .ufuncs import isfinite as isfinite
from .ufuncs import isinf as isinf
from .ufuncs import isnan as isnan
from .ufuncs import isneginf as isneginf
from .ufuncs import isposinf as isposinf
from .ufuncs import isreal as isreal
from .ufuncs import isrealobj as isrealobj
from .ufuncs import lcm as lcm
from .ufuncs import ldexp as ldexp
from .ufuncs import left_shift as left_shift
from .ufuncs import less as less
from .ufuncs import less_equal as less_equal
from .ufuncs import log as log
from .ufuncs import log1p as log1p
from .ufuncs import log2 as log2
from .ufuncs import log10 as log10
from .ufuncs import logaddexp as logaddexp
from .ufuncs import logaddexp2 as logaddexp2
from .ufuncs import logical_and as logical_and
from .ufuncs import logical_not as logical_not
from .ufuncs import logical_or as logical_or
from .ufuncs import logical_xor as logical_xor
from .ufuncs import maximum as maximum
from .ufuncs import minimum as minimum
from .ufuncs import mod as mod
from .ufuncs import modf as modf
from .ufuncs import multiply as multiply
from .ufuncs import nan_to_num as nan_to_num
from .ufuncs import negative as negative
from .ufuncs import nextafter as nextafter
from .ufuncs import not_equal as not_equal
from .ufuncs import positive as positive
from .ufuncs import power as power
from .ufuncs import rad2deg as rad2deg
from .ufuncs import radians as radians
from .ufuncs import real as real
from .ufuncs import reciprocal as reciprocal
from .ufuncs import remainder as remainder
from .ufuncs import right_shift as right_shift
from .ufuncs import rint as rint
from .ufuncs import round as round
from .ufuncs import round_ as round_
from .ufuncs import sign as sign
from .ufuncs import signbit as signbit
from .ufuncs import sin as sin
from .ufuncs import sinc as sinc
from .ufuncs import sinh as sinh
from .ufuncs import spacing as spacing
from .ufuncs import sqrt as sqrt
from .ufuncs import square as square
from .ufuncs import subtract as subtract
from .ufuncs import tan as tan
from .ufuncs import tanh as tanh
from .ufuncs import true_divide as true_divide
from .ufuncs import trunc as trunc
from .ufuncs import where as where

_wrap_namespace(globals())

# constants
pi = _np.pi
e = _np.e
euler_gamma = _np.euler_gamma
inf = _np.inf
nan = _np.nan
newaxis = None
