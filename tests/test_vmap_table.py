"""vmap of every lax primitive in the table equals stacking the primitive over the
examples: hypothesis-chosen in_axes (including None and negative axes), out_axes,
batch sizes 1 and several, and nested twice."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from primitive_table import ALL_CASES
from test_primitives import _draw_args

import tinyjax


def _as_tuple(x):
    return tuple(x) if isinstance(x, (list, tuple)) else (x,)


def _stack_examples(case, data, n):
    """n independent examples of the case's arguments (same shapes and dtypes)."""
    seeds_data = [ _draw_args(case, data) for _ in range(1) ]
    first = seeds_data[0]
    rng = np.random.default_rng(data.draw(st.integers(0, 2**31 - 1), label="perturb"))
    examples = [first]
    for _ in range(n - 1):
        ex = []
        for a in first:
            b = a.copy()
            if b.size and b.dtype.kind in "fiu" and not np.issubdtype(b.dtype, np.bool_):
                flat = b.reshape(-1)
                perm = rng.permutation(flat.size)
                b = flat[perm].reshape(a.shape)
            ex.append(b)
        examples.append(ex)
    return examples


def _loop_reference(case, examples):
    outs = [_as_tuple(case.fun(*ex)) for ex in examples]
    return [np.stack([np.asarray(o[i]) for o in outs]) for i in range(len(outs[0]))]


def _check(got, want):
    for g, w in zip(got, want):
        g = np.asarray(g)
        assert g.shape == w.shape, (g.shape, w.shape)
        if g.dtype.kind == "f":
            np.testing.assert_allclose(g.astype(np.float64), w.astype(np.float64), rtol=2e-5,
                                       atol=2e-5, equal_nan=True)
        else:
            np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.name)
@settings(max_examples=6, deadline=None)
@given(data=st.data())
def test_vmap_matches_loop(case, data):
    n = data.draw(st.sampled_from([1, 3]), label="batch")
    examples = _stack_examples(case, data, n)
    nargs = len(examples[0])
    # per argument: batched along some axis, or (not the first) left unbatched
    in_axes, batched_args = [], []
    for i in range(nargs):
        stacked = np.stack([ex[i] for ex in examples])
        nd = stacked.ndim
        choice = data.draw(st.sampled_from(["none", "front", "back", "neg"]) if i else
                           st.sampled_from(["front", "back", "neg"]), label=f"axis{i}")
        if choice == "none":
            in_axes.append(None)
            batched_args.append(examples[0][i])
            for ex in examples:
                ex[i] = examples[0][i]
            continue
        ax = {"front": 0, "back": nd - 1, "neg": -1}[choice]
        in_axes.append(ax)
        batched_args.append(np.moveaxis(stacked, 0, ax % nd))
    want = _loop_reference(case, examples)
    out_axis = data.draw(st.sampled_from([0, -1]), label="out_axes")
    got = tinyjax.vmap(case.fun, in_axes=tuple(in_axes), out_axes=out_axis)(*batched_args)
    _check([np.moveaxis(np.asarray(g), out_axis, 0) for g in _as_tuple(got)], want)


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.name)
@settings(max_examples=2, deadline=None)
@given(data=st.data())
def test_vmap_nested_and_out_axes(case, data):
    outer, inner = 2, 2
    examples = _stack_examples(case, data, outer * inner)
    nargs = len(examples[0])
    stacked = [np.stack([ex[i] for ex in examples]).reshape(
        (outer, inner) + examples[0][i].shape) for i in range(nargs)]
    want = [w.reshape((outer, inner) + w.shape[1:]) for w in _loop_reference(case, examples)]
    f = tinyjax.vmap(tinyjax.vmap(case.fun, out_axes=-1), out_axes=0)
    got = _as_tuple(f(*stacked))
    _check([np.moveaxis(np.asarray(g), -1, 1) for g in got], want)


def test_every_primitive_has_a_batching_rule():
    from test_primitives import _all_lax_primitives

    from tinyjax.interpreters.batching import batching_rules, collective_rules
    # iota takes no operands, so nothing it is applied to can be batched
    missing = sorted(n for n, p in _all_lax_primitives().items()
                     if p not in batching_rules and p not in collective_rules and n != "iota")
    assert not missing, f"primitives without a batching rule: {missing}"
