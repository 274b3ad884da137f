"""Eager dispatch cost of `x + y` on two f32[8] arrays (tinyjax, and JAX if installed).

Run with:  python benchmarks/bench_dispatch.py
"""
import timeit

import numpy as np


def per_call_us(fn, number=100_000, repeat=7):
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e6


def main():
    import tinyjax.numpy as jnp

    x = jnp.asarray(np.ones(8, np.float32))
    y = jnp.asarray(np.ones(8, np.float32))
    t_tj = per_call_us(lambda: x + y)
    print(f"tinyjax  x + y (f32[8], eager): {t_tj:6.2f} us")
    a = np.ones(8, np.float32)
    print(f"numpy    a + a (f32[8])       : {per_call_us(lambda: a + a):6.2f} us")
    try:
        import jax.numpy as jjnp
    except ImportError:
        print("jax not installed: no side-by-side figure")
        return
    jx = jjnp.ones(8, jjnp.float32)
    jy = jjnp.ones(8, jjnp.float32)
    (jx + jy).block_until_ready()
    t_jax = per_call_us(lambda: (jx + jy), number=20_000)
    print(f"jax      x + y (f32[8], eager): {t_jax:6.2f} us   (jax / tinyjax = {t_jax / t_tj:.1f}x)")


if __name__ == "__main__":
    main()
