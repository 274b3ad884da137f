"""Every lax primitive's derivatives, from the same table as the eager tests:
check_grads to second order in forward and reverse mode (JVP vs central finite
differences in float64, VJP vs JVP by the dot-product identity)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from primitive_table import ALL_CASES, domain_values

import tinyjax
from tinyjax.core.config import enable_x64
from tinyjax.test_util import check_grads

# inputs away from kinks, ties and poles: "any" (edge values) becomes "real"
_SMOOTH = {"any": "real"}
# primitives whose derivative is zero or undefined everywhere that matters: checked to
# give zero tangents instead (integer-only rows are skipped: nothing to differentiate)
GRAD_SHAPES = [(), (3,), (2, 3)]
# tolerances for the numerically delicate ones (finite differences of special functions)
LOOSE = {"igamma": 1e-3, "igammac": 1e-3, "regularized_incomplete_beta": 1e-3,
         "zeta": 1e-3, "polygamma": 1e-3, "erf_inv": 1e-4, "digamma": 1e-4, "lgamma": 1e-4,
         "bessel_i0e": 1e-4, "bessel_i1e": 1e-4, "cumlogsumexp": 1e-4, "eigh": 1e-4,
         "svd": 1e-4, "qr": 1e-4, "lu": 1e-4, "cholesky": 1e-4, "triangular_solve": 1e-4,
         "conv_general_dilated": 1e-4, "pow": 1e-4, "tan": 1e-4}


# arguments held fixed: scatter-mul's updates are only differentiable with unique
# indices (as in JAX), and the table's indices repeat
# (with respect to the order/shape parameters of some special functions JAX has no
# derivative either)
FIXED_ARGS = {"scatter-mul": {2}, "polygamma": {0}, "zeta": {0},
              "regularized_incomplete_beta": {0, 1}}
# JAX has no second derivative of igamma in a
FIRST_ORDER = {"igamma", "igammac"}
# derivatives that are zero by definition although the function moves: checked by value
# in test_conventional_derivatives instead of against finite differences
CONVENTIONAL = {"stop_gradient", "nextafter", "reduce_precision"}


def _float_case(case):
    return any(any(np.dtype(d).kind == "f" for d in a.dtypes) for a in case.args)


GRAD_CASES = [c for c in ALL_CASES if _float_case(c) and c.name not in CONVENTIONAL]


def _draw(case, data):
    seed = data.draw(st.integers(0, 2**31 - 1), label="seed")
    rng = np.random.default_rng(seed)
    shapes = case.shapes(rng) if case.shapes is not None else \
        [data.draw(st.sampled_from(GRAD_SHAPES), label="shape")] * len(case.args)
    args = []
    for arg, shape in zip(case.args, shapes):
        floats = [d for d in arg.dtypes if np.dtype(d).kind == "f"]
        dtype = "float64" if floats else arg.dtypes[0]
        dom = _SMOOTH.get(arg.domain, arg.domain)
        args.append(domain_values(rng, dom, dtype, shape))
    return args




def _split_fun(case, args):
    """A function of the float arguments only (the others fixed), and those args."""
    fixed = FIXED_ARGS.get(case.name, set())
    is_float = [a.dtype.kind == "f" and i not in fixed for i, a in enumerate(args)]
    floats = tuple(a for a, f in zip(args, is_float) if f)

    def f(*fl):
        it = iter(fl)
        full = [next(it) if isf else a for a, isf in zip(args, is_float)]
        return case.fun(*full)

    return f, floats


@pytest.mark.parametrize("case", GRAD_CASES, ids=lambda c: c.name)
@settings(max_examples=4, deadline=None)
@given(data=st.data())
def test_check_grads_order2(case, data):
    with enable_x64():
        args = _draw(case, data)
    f, floats = _split_fun(case, args)
    tol = LOOSE.get(case.name, 1e-5)
    order = 1 if case.name in FIRST_ORDER else 2
    check_grads(f, floats, order=order, modes=("fwd", "rev"), atol=tol, rtol=tol)


def test_conventional_derivatives():
    from tinyjax import lax
    x = np.array([0.3, -1.7, 2.5], np.float32)
    t = np.array([1.0, 2.0, -3.0], np.float32)
    _, ts = tinyjax.jvp(lax.stop_gradient, (x,), (t,))
    np.testing.assert_array_equal(np.asarray(ts), 0)
    _, tn = tinyjax.jvp(lambda a: lax.nextafter(a, a + 1), (x,), (t,))
    np.testing.assert_array_equal(np.asarray(tn), 0)
    _, tr = tinyjax.jvp(lambda a: lax.reduce_precision(a, 5, 10), (x,), (t,))
    np.testing.assert_array_equal(np.asarray(tr), np.asarray(lax.reduce_precision(t, 5, 10)))
    (g,) = tinyjax.vjp(lambda a: lax.reduce_precision(a, 5, 10), x)[1](t)
    np.testing.assert_array_equal(np.asarray(g), np.asarray(lax.reduce_precision(t, 5, 10)))


def test_every_primitive_has_a_jvp_rule():
    from test_primitives import _all_lax_primitives

    from tinyjax.interpreters.ad import jvp_rules
    missing = sorted(n for n, p in _all_lax_primitives().items() if p not in jvp_rules)
    assert not missing, f"primitives without a JVP rule: {missing}"


LINEAR = ["add", "sub", "neg", "mul", "div", "dot_general", "conv_general_dilated",
          "broadcast_in_dim", "reshape", "transpose", "reduce_sum", "slice", "pad",
          "concatenate", "gather", "scatter-add", "dynamic_slice", "dynamic_update_slice",
          "select_n", "convert_element_type", "cumsum", "reduce_window_sum", "rev",
          "squeeze", "triangular_solve"]


def test_every_linear_primitive_has_a_transpose_rule():
    from test_primitives import _all_lax_primitives

    from tinyjax.interpreters.ad import transpose_rules
    prims = _all_lax_primitives()
    missing = sorted(n for n in LINEAR if prims[n] not in transpose_rules)
    assert not missing, f"linear primitives without a transpose rule: {missing}"
    assert tinyjax.grad  # the rules are reachable through the public API
