"""Eager dispatch cost of small operations in tinyjax (and JAX, side by side, when
it is installed). The headline figure is `x + y` on two f32[8] arrays.

Run with:  python benchmarks/bench_dispatch.py
"""
import timeit

import numpy as np


def per_call_us(fn, number, repeat=7):
    fn()
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e6


def cases(np_mod):
    x = np_mod.asarray(np.ones(8, np.float32))
    y = np_mod.asarray(np.ones(8, np.float32))
    m = np_mod.asarray(np.ones((4, 4), np.float32))
    return {
        "x + y (f32[8])": lambda: x + y,
        "x * 2.0": lambda: x * 2.0,
        "jnp.sin(x)": lambda: np_mod.sin(x),
        "jnp.sum(x)": lambda: np_mod.sum(x),
        "x[1:3]": lambda: x[1:3],
        "m @ m (f32[4,4])": lambda: m @ m,
        "jnp.mean(m, 0)": lambda: np_mod.mean(m, 0),
        "x.at[0].set(1.0)": lambda: x.at[0].set(1.0),
    }


def main():
    import tinyjax.numpy as tnp

    try:
        import jax.numpy as jnp_ref
    except ImportError:
        jnp_ref = None
    ours = cases(tnp)
    theirs = cases(jnp_ref) if jnp_ref is not None else {}
    print(f"{'operation':20s} {'tinyjax us':>11s} {'jax us':>9s} {'jax/tinyjax':>12s}")
    for name, fn in ours.items():
        t = per_call_us(fn, 20_000)
        if name in theirs:
            j = per_call_us(lambda f=theirs[name]: f().block_until_ready(), 3_000)
            print(f"{name:20s} {t:11.2f} {j:9.2f} {j / t:11.1f}x")
        else:
            print(f"{name:20s} {t:11.2f}")
    if jnp_ref is None:
        print("(jax not installed: no side-by-side figures)")


if __name__ == "__main__":
    main()
