"""tinyjax.random gives the same samples under jit as eagerly, bit for bit: the
compiled code does each float operation exactly as NumPy does (no fast-math on
elementwise code), so the XLA-emulating transforms survive compilation."""
import functools

import numpy as np
import pytest

import tinyjax
from tinyjax import jit, random
from tinyjax.core.config import enable_x64

KEY = random.PRNGKey(42)

SAMPLERS = {
    "split": lambda k: random.split(k, 3),
    "fold_in": lambda k: random.fold_in(k, 7),
    "bits": lambda k: random.bits(k, (5, 3)),
    "uniform": lambda k: random.uniform(k, (100,)),
    "normal": lambda k: random.normal(k, (100,)),
    "randint": lambda k: random.randint(k, (50,), -5, 17),
    "bernoulli": lambda k: random.bernoulli(k, 0.3, (40,)),
    "truncated_normal": lambda k: random.truncated_normal(k, -1.0, 2.0, (64,)),
    "permutation": lambda k: random.permutation(k, 20),
    "categorical": lambda k: random.categorical(k, np.log(np.arange(1, 6, dtype=np.float32)),
                                                shape=(30,)),
    "gumbel": lambda k: random.gumbel(k, (64,)),
    "exponential": lambda k: random.exponential(k, (64,)),
    "laplace": lambda k: random.laplace(k, (64,)),
    "logistic": lambda k: random.logistic(k, (64,)),
    "gamma": lambda k: random.gamma(k, 2.5, (64,)),
    "beta": lambda k: random.beta(k, 2.0, 3.0, (32,)),
    "poisson": lambda k: random.poisson(k, 3.0, (32,)),
}


def test_dirichlet_under_jit_to_rounding():
    # normalizes by a sum, whose order of accumulation jit may change (as XLA's does)
    f = lambda k: random.dirichlet(k, np.ones(4, np.float32), (8,))  # noqa: E731
    np.testing.assert_allclose(np.asarray(jit(f)(KEY)), np.asarray(f(KEY)), rtol=3e-7,
                               atol=1e-7)


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_same_samples_under_jit(name):
    f = SAMPLERS[name]
    want = np.asarray(f(KEY))
    got = np.asarray(jit(f)(KEY))
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)


def test_same_samples_under_jit_x64():
    # the bits are identical; float64 transforms use tinyjax's own erf_inv/log, whose
    # compiled and NumPy versions may differ in the last bit (float32 samplers use
    # exact copies of XLA's kernels, which both paths compute identically)
    with enable_x64():
        np.testing.assert_array_equal(np.asarray(jit(lambda k: random.bits(k, (50,),
                                                                           np.uint64))(KEY)),
                                      np.asarray(random.bits(KEY, (50,), np.uint64)))
        f = functools.partial(random.normal, shape=(50,), dtype=np.float64)
        np.testing.assert_allclose(np.asarray(jit(f)(KEY)), np.asarray(f(KEY)), rtol=1e-15,
                                   atol=1e-16)


def test_vmap_of_jit_split_keys():
    keys = random.split(KEY, 4)
    f = jit(lambda k: random.uniform(k, (3,)))
    np.testing.assert_array_equal(np.asarray(tinyjax.vmap(f)(keys)),
                                  np.stack([np.asarray(random.uniform(k, (3,))) for k in keys]))
