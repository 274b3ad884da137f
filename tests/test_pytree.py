"""Pytrees behave like ``jax.tree_util``: structure, order, paths, errors."""

import collections
import dataclasses
import functools
import operator
import pickle
from typing import Any, NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinyjax.tree as jtree
from tinyjax import tree_util
from tinyjax.tree_util import (
    DictKey,
    FlattenedIndexKey,
    GetAttrKey,
    Partial,
    SequenceKey,
)

# --- node types used by the tests -------------------------------------------

Point = collections.namedtuple("Point", ["x", "y"])


class PointSub(Point):
    pass


class Pair(NamedTuple):
    first: Any
    second: Any


class Custom:
    """Registered with ``register_pytree_node``: x, y children, z static."""

    def __init__(self, x, y, z):
        self.x, self.y, self.z = x, y, z

    def __eq__(self, other):
        return type(other) is type(self) and (self.x, self.y, self.z) == (other.x, other.y, other.z)

    def __repr__(self):
        return f"{type(self).__name__}({self.x!r}, {self.y!r}, {self.z!r})"


tree_util.register_pytree_node(
    Custom, lambda c: ((c.x, c.y), c.z), lambda z, xy: Custom(xy[0], xy[1], z)
)


class Keyed(Custom):
    """Registered with keys."""


tree_util.register_pytree_with_keys(
    Keyed,
    lambda c: (((GetAttrKey("x"), c.x), (GetAttrKey("y"), c.y)), c.z),
    lambda z, xy: Keyed(xy[0], xy[1], z),
)


@tree_util.register_pytree_node_class
class Box:
    def __init__(self, value, label):
        self.value, self.label = value, label

    def tree_flatten(self):
        return (self.value,), self.label

    @classmethod
    def tree_unflatten(cls, label, children):
        return cls(children[0], label)

    def __eq__(self, other):
        return type(other) is Box and (self.value, self.label) == (other.value, other.label)


@tree_util.register_dataclass
@dataclasses.dataclass
class Linear:
    w: Any
    b: Any
    features: int = dataclasses.field(metadata=dict(static=True), default=4)


@dataclasses.dataclass
class Explicit:
    a: Any
    name: str


tree_util.register_dataclass(Explicit, data_fields=["a"], meta_fields=["name"])


@tree_util.register_static
class Tag(str):
    pass


def _fn(*args, **kwargs):
    return args, kwargs


# --- round trips ---------------------------------------------------------------

ROUND_TRIPS = [
    # (tree, expected leaves, expected repr)
    (None, [], "PyTreeDef(None)"),
    (7, [7], "PyTreeDef(*)"),
    ((), [], "PyTreeDef(())"),
    ((None,), [], "PyTreeDef((None,))"),
    ([()], [], "PyTreeDef([()])"),
    ((1, 2), [1, 2], "PyTreeDef((*, *))"),
    ((1, "a"), [1, "a"], "PyTreeDef((*, *))"),
    ([1, [2, (3, None, 4)]], [1, 2, 3, 4], "PyTreeDef([*, [*, (*, None, *)]])"),
    ({"b": 2, "a": 1}, [1, 2], "PyTreeDef({'a': *, 'b': *})"),
    ({}, [], "PyTreeDef({})"),
    (
        {"z": {"y": 1, "x": [2, 3]}, "a": None},
        [2, 3, 1],
        "PyTreeDef({'a': None, 'z': {'x': [*, *], 'y': *}})",
    ),
    (Point(1, (2, 3)), [1, 2, 3], "PyTreeDef(CustomNode(namedtuple[Point], [*, (*, *)]))"),
    (PointSub(5, 6), [5, 6], "PyTreeDef(CustomNode(namedtuple[PointSub], [*, *]))"),
    (Pair([1], {"k": 2}), [1, 2], "PyTreeDef(CustomNode(namedtuple[Pair], [[*], {'k': *}]))"),
    (
        collections.OrderedDict([("b", 1), ("a", 2)]),
        [1, 2],
        "PyTreeDef(CustomNode(OrderedDict[('b', 'a')], [*, *]))",
    ),
    (
        collections.defaultdict(list, {"b": 1, "a": (2, 3)}),
        [2, 3, 1],
        "PyTreeDef(CustomNode(defaultdict[(<class 'list'>, ('a', 'b'))], [(*, *), *]))",
    ),
    (Custom(1, [2, 3], "meta"), [1, 2, 3], "PyTreeDef(CustomNode(Custom[meta], [*, [*, *]]))"),
    (Keyed(1, None, 0), [1], "PyTreeDef(CustomNode(Keyed[0], [*, None]))"),
    (Box((1, 2), "lbl"), [1, 2], "PyTreeDef(CustomNode(Box[lbl], [(*, *)]))"),
    (
        Linear(w=[1.0, 2.0], b=3.0),
        [1.0, 2.0, 3.0],
        "PyTreeDef(CustomNode(Linear[(4,)], [[*, *], *]))",
    ),
    (Explicit(a=(1,), name="n"), [1], "PyTreeDef(CustomNode(Explicit[('n',)], [(*,)]))"),
    ([Tag("t"), 1], [1], "PyTreeDef([CustomNode(Tag[t], []), *])"),
    (
        [Point({"q": 1}, None), (Custom(2, 3, 0), collections.OrderedDict(z=[4]))],
        [1, 2, 3, 4],
        "PyTreeDef([CustomNode(namedtuple[Point], [{'q': *}, None]), "
        "(CustomNode(Custom[0], [*, *]), CustomNode(OrderedDict[('z',)], [[*]]))])",
    ),
]


def assert_same(rebuilt, original):
    """``rebuilt == original``, also checking container types and key order: plain
    dicts and defaultdicts come back in sorted key order (like JAX), OrderedDicts
    in insertion order."""
    a, b = rebuilt, original
    assert type(a) is type(b), (a, b)
    if isinstance(a, dict):
        assert list(a) == (list(b) if type(b) is collections.OrderedDict else sorted(b))
        for k in a:
            assert_same(a[k], b[k])
    elif isinstance(a, (tuple, list)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_same(x, y)
    else:
        assert a == b
    if isinstance(a, collections.defaultdict):
        assert a.default_factory is b.default_factory


@pytest.mark.parametrize("tree,expected_leaves,expected_repr", ROUND_TRIPS)
def test_round_trip(tree, expected_leaves, expected_repr):
    leaves, treedef = tree_util.tree_flatten(tree)
    assert leaves == expected_leaves
    assert repr(treedef) == expected_repr
    assert str(treedef) == expected_repr
    assert treedef.num_leaves == len(expected_leaves)
    assert tree_util.tree_leaves(tree) == expected_leaves
    assert tree_util.tree_structure(tree) == treedef
    rebuilt = tree_util.tree_unflatten(treedef, leaves)
    assert_same(rebuilt, tree)
    assert treedef.flatten_up_to(tree) == expected_leaves
    # Leaves are put back by position, not by identity.
    relabeled = treedef.unflatten(range(len(leaves)))
    assert tree_util.tree_leaves(relabeled) == list(range(len(leaves)))
    assert tree_util.tree_structure(relabeled) == treedef


@pytest.mark.parametrize("tree,expected_leaves,expected_repr", ROUND_TRIPS)
def test_treedef_pickles(tree, expected_leaves, expected_repr):
    leaves, treedef = tree_util.tree_flatten(tree)
    restored = pickle.loads(pickle.dumps(treedef))
    assert restored == treedef
    assert hash(restored) == hash(treedef)
    assert repr(restored) == expected_repr


def test_dict_unflatten_is_sorted_and_nested():
    d = {"b": 2, "a": 1, "c": {"b": 2, "a": 1}}
    leaves, treedef = tree_util.tree_flatten(d)
    assert leaves == [1, 2, 1, 2]
    out = treedef.unflatten([10, 20, 30, 40])
    assert list(out) == ["a", "b", "c"]
    assert list(out["c"]) == ["a", "b"]
    assert out == {"a": 10, "b": 20, "c": {"a": 30, "b": 40}}


def test_dict_key_order_does_not_change_structure():
    assert tree_util.tree_structure({"a": 1, "b": 2}) == tree_util.tree_structure({"b": 0, "a": 0})


def test_unsortable_dict_keys_raise():
    with pytest.raises(ValueError, match="Comparator raised exception"):
        tree_util.tree_flatten({"a": 1, 2: "b"})


def test_ordereddict_keeps_insertion_order_and_order_is_structure():
    od = collections.OrderedDict([("b", 2), ("a", 1)])
    leaves, treedef = tree_util.tree_flatten(od)
    assert leaves == [2, 1]
    out = treedef.unflatten([5, 6])
    assert type(out) is collections.OrderedDict
    assert list(out.items()) == [("b", 5), ("a", 6)]
    other = tree_util.tree_structure(collections.OrderedDict([("a", 1), ("b", 2)]))
    assert other != treedef
    assert tree_util.tree_structure({"b": 2, "a": 1}) != treedef


def test_defaultdict_keeps_default_factory():
    d = collections.defaultdict(list, {"b": [1], "a": 2})
    leaves, treedef = tree_util.tree_flatten(d)
    assert leaves == [2, 1]
    out = treedef.unflatten([7, 8])
    assert type(out) is collections.defaultdict
    assert out.default_factory is list
    assert list(out) == ["a", "b"]
    assert out["b"] == [8]
    assert out["missing"] == []
    assert treedef != tree_util.tree_structure(collections.defaultdict(int, {"b": [1], "a": 2}))


def test_none_is_an_empty_subtree():
    assert tree_util.tree_leaves([None, 1, (None,)]) == [1]
    assert tree_util.tree_map(lambda x: x + 1, None) is None
    assert tree_util.tree_map(lambda x: x + 1, [None, 1]) == [None, 2]
    assert tree_util.tree_structure(None).num_leaves == 0
    assert tree_util.tree_structure(None).num_nodes == 1
    assert tree_util.treedef_is_leaf(tree_util.tree_structure(None))
    assert not tree_util.treedef_is_strict_leaf(tree_util.tree_structure(None))
    assert tree_util.treedef_is_strict_leaf(tree_util.tree_structure(3))


def test_unregistered_objects_and_subclasses_are_leaves():
    class MyList(list):
        pass

    obj = object()
    ml = MyList([1, 2])
    assert tree_util.tree_leaves([obj, ml, "s", 1.5]) == [obj, ml, "s", 1.5]


def test_namedtuple_is_distinct_from_tuple():
    assert tree_util.tree_structure(Point(1, 2)) != tree_util.tree_structure((1, 2))
    assert tree_util.tree_structure(Point(1, 2)) != tree_util.tree_structure(PointSub(1, 2))
    assert tree_util.tree_structure(Point(1, 2)) == tree_util.tree_structure(
        Point("a", None.__class__)
    )


# --- tree_map ------------------------------------------------------------------


def test_tree_map_several_trees():
    a = {"w": [1, 2], "b": 3}
    b = {"w": [10, 20], "b": 30}
    c = {"w": [100, 200], "b": 300}
    assert tree_util.tree_map(lambda x, y, z: x + y + z, a, b, c) == {"w": [111, 222], "b": 333}


def test_tree_map_rest_may_be_deeper():
    x = ((1, 2), (3, 4, 5))
    y = (([3], None), ({"foo": "bar"}, 7, [5, 6]))
    out = tree_util.tree_map(lambda *xs: tuple(xs), x, y)
    assert out == (((1, [3]), (2, None)), ((3, {"foo": "bar"}), (4, 7), (5, [5, 6])))


def test_tree_map_accepts_namedtuple_for_tuple_and_keeps_first_structure():
    out = tree_util.tree_map(operator.add, (1, 2), Point(10, 20))
    assert out == (11, 22) and type(out) is tuple


def test_tree_map_is_leaf():
    x = ((1, 2), [3, 4, 5])
    y = (([3], None), ({"foo": "bar"}, 7, [5, 6]))
    out = tree_util.tree_map(lambda *xs: xs, x, y, is_leaf=lambda n: isinstance(n, list))
    assert out == (((1, [3]), (2, None)), ([3, 4, 5], ({"foo": "bar"}, 7, [5, 6])))
    assert tree_util.tree_map(lambda v: v, [None], is_leaf=lambda v: v is None) == [None]
    assert tree_util.tree_leaves([None, (None,)], is_leaf=lambda v: v is None) == [None, None]


def test_is_leaf_short_circuits():
    seen = []

    def is_leaf(x):
        seen.append(x)
        return isinstance(x, tuple)

    tree = [(1, (2, 3)), {"a": (4,)}]
    assert tree_util.tree_leaves(tree, is_leaf=is_leaf) == [(1, (2, 3)), (4,)]
    # Nothing inside a tuple was ever visited.
    assert 2 not in seen and 1 not in seen and 4 not in seen
    assert tree_util.tree_structure(tree, is_leaf=is_leaf).num_leaves == 2
    x = [(1, 2), (3, 4), (5, 6)]
    assert tree_util.tree_leaves(x, is_leaf=lambda t: True) == [x]
    assert tree_util.tree_leaves(x, is_leaf=lambda t: False) == [1, 2, 3, 4, 5, 6]


# --- structure mismatches --------------------------------------------------------


@pytest.mark.parametrize(
    "tree,xs,message",
    [
        ([1, 2], [7], "List arity mismatch: 1 != 2; list: [7]."),
        ((1,), (7, 8), "Tuple arity mismatch: 2 != 1; tuple: (7, 8)."),
        (
            {"a": 1},
            {"a": 7, "b": 8},
            "Dict key mismatch; expected keys: ['a']; dict: {'a': 7, 'b': 8}.",
        ),
        ({"a": 1}, {"b": 7}, "Dict key mismatch; expected keys: ['a']; dict: {'b': 7}."),
        ([1], (7,), "Expected list, got (7,)."),
        ((1,), [7], "Expected tuple, got [7]."),
        ({"a": 1}, [7], "Expected dict, got [7]."),
        ([[1]], [7], "Expected list, got 7."),
        ({"a": (1,)}, {"a": [7]}, "Expected tuple, got [7]."),
        ([Point(1, 2)], [(1, 2)], "Expected named tuple, got (1, 2)."),
        ([Point(1, 2)], [Pair(1, 2)], "Named tuple type mismatch"),
        ([Custom(1, 2, 3)], [(1, 2, 3)], "Custom node type mismatch"),
        ([Custom(1, 2, 3)], [Custom(1, 2, 4)], "Mismatch custom node data: 4 != 3"),
        ((None, 1), ([2], 1), "Expected None, got [2]."),
    ],
)
def test_flatten_up_to_errors(tree, xs, message):
    treedef = tree_util.tree_structure(tree)
    with pytest.raises(ValueError) as info:
        treedef.flatten_up_to(xs)
    assert message in str(info.value)
    assert repr(treedef) in str(info.value)


def test_flatten_up_to_names_key_path():
    treedef = tree_util.tree_structure({"a": [1, {"b": (1, 2)}]})
    with pytest.raises(ValueError, match=r"at key path \['a'\]\[1\]\['b'\]"):
        treedef.flatten_up_to({"a": [0, {"b": (1, 2, 3)}]})
    treedef = tree_util.tree_structure(Keyed(Point(1, [2]), 0, "z"))
    with pytest.raises(ValueError, match=r"at key path \.x\.y\n"):
        treedef.flatten_up_to(Keyed(Point(1, None), 0, "z"))
    treedef = tree_util.tree_structure([Custom(0, (1,), "z")])
    with pytest.raises(ValueError, match=r"at key path \[0\]\[<flat index 1>\]\n"):
        treedef.flatten_up_to([Custom(0, [1], "z")])


def test_flatten_up_to_stops_at_leaves():
    treedef = tree_util.tree_structure({"a": 1, "b": (2, 3)})
    assert treedef.flatten_up_to({"a": [7, 8], "b": ({"x": 1}, None)}) == [[7, 8], {"x": 1}, None]
    assert tree_util.tree_structure(None).flatten_up_to(None) == []


def test_tree_map_mismatch_names_both_structures():
    with pytest.raises(ValueError) as info:
        tree_util.tree_map(lambda a, b: a + b, (1, [2, 3]), (1, [2]))
    msg = str(info.value)
    assert "tree_map" in msg and "argument 2" in msg
    assert "List arity mismatch: 1 != 2" in msg
    assert "PyTreeDef((*, [*, *]))" in msg
    assert "PyTreeDef((*, [*]))" in msg
    assert "at key path [1]" in msg


def test_unflatten_wrong_leaf_count():
    treedef = tree_util.tree_structure((1, 2))
    with pytest.raises(ValueError, match="Too few leaves for PyTreeDef; expected 2, got 1"):
        treedef.unflatten([1])
    with pytest.raises(ValueError, match="Too many leaves for PyTreeDef; expected 2, got 3"):
        treedef.unflatten([1, 2, 3])
    assert treedef.unflatten(iter([5, 6])) == (5, 6)


# --- key paths -----------------------------------------------------------------


def test_flatten_with_path_builtin():
    x = (1, {"b": 3, "a": 2})
    flat, treedef = tree_util.tree_flatten_with_path(x)
    assert flat == [
        ((SequenceKey(0),), 1),
        ((SequenceKey(1), DictKey("a")), 2),
        ((SequenceKey(1), DictKey("b")), 3),
    ]
    assert treedef == tree_util.tree_structure(x)


def test_keystr_format():
    tree = [Point(12, {"cin": [1, 4], "bar": None}), 5]
    flat, _ = tree_util.tree_flatten_with_path(tree)
    assert [f"{tree_util.keystr(p)}: {x}" for p, x in flat] == [
        "[0].x: 12",
        "[0].y['cin'][0]: 1",
        "[0].y['cin'][1]: 4",
        "[1]: 5",
    ]
    path = (SequenceKey(0), DictKey("a"), GetAttrKey("b"), FlattenedIndexKey(2))
    assert tree_util.keystr(path) == "[0]['a'].b[<flat index 2>]"
    assert tree_util.keystr(path, simple=True, separator="/") == "0/a/b/2"
    assert tree_util.keystr(()) == ""


def test_key_entries_are_values():
    assert SequenceKey(1) == SequenceKey(idx=1) and hash(SequenceKey(1)) == hash(SequenceKey(1))
    assert DictKey("a").key == "a" and GetAttrKey("n").name == "n" and FlattenedIndexKey(3).key == 3
    assert SequenceKey(1) != FlattenedIndexKey(1)
    assert hash(SequenceKey(1)) != hash(FlattenedIndexKey(1))
    assert repr(DictKey("a")) == "DictKey(key='a')"
    for key in [SequenceKey(1), DictKey("foo"), GetAttrKey("bar"), FlattenedIndexKey(1)]:
        assert pickle.loads(pickle.dumps(key)) == key
    match SequenceKey(4):
        case SequenceKey(idx=i):
            assert i == 4


def test_paths_for_every_node_kind():
    tree = {
        "custom": Custom(1, 2, "s"),
        "keyed": Keyed(3, 4, "s"),
        "dc": Linear(w=5, b=6),
        "od": collections.OrderedDict([("z", 7), ("y", 8)]),
        "dd": collections.defaultdict(int, {"q": 10, "p": 9}),
        "p": Partial(_fn, 11, k=12),
    }
    paths = [tree_util.keystr(p) for p, _ in tree_util.tree_leaves_with_path(tree)]
    assert paths == [
        "['custom'][<flat index 0>]",
        "['custom'][<flat index 1>]",
        "['dc'].w",
        "['dc'].b",
        "['dd']['p']",
        "['dd']['q']",
        "['keyed'].x",
        "['keyed'].y",
        "['od']['z']",
        "['od']['y']",
        "['p'][<flat index 0>][0]",
        "['p'][<flat index 1>]['k']",
    ]
    assert [x for _, x in tree_util.tree_leaves_with_path(tree)] == tree_util.tree_leaves(tree)
    _, treedef = tree_util.tree_flatten_with_path(tree)
    assert treedef == tree_util.tree_structure(tree)


def test_custom_key_objects_are_kept():
    class Obj:
        def __init__(self, a, b):
            self.a, self.b = a, b

    tree_util.register_pytree_with_keys(
        Obj, lambda o: ((("a", o.a), ("b", o.b)), None), lambda _, kids: Obj(*kids)
    )
    flat, _ = tree_util.tree_flatten_with_path([Obj(1, 2)])
    assert flat == [((SequenceKey(0), "a"), 1), ((SequenceKey(0), "b"), 2)]
    assert tree_util.keystr(flat[0][0]) == "[0]a"
    assert tree_util.tree_leaves(Obj(5, (6,))) == [5, 6]


def test_tree_map_with_path():
    tree = [{i: i for i in range(5)}]
    out = tree_util.tree_map_with_path(lambda kp, v: v - kp[1].key + kp[0].idx, tree)
    assert out == [{i: 0 for i in range(5)}]
    out = tree_util.tree_map_with_path(
        lambda kp, a, b: (tree_util.keystr(kp), a + b), {"x": (1, 2)}, {"x": (10, 20)}
    )
    assert out == {"x": (("['x'][0]", 11), ("['x'][1]", 22))}
    out = tree_util.tree_map_with_path(
        lambda kp, *xs: (kp[0].idx, *xs),
        ((1, 2), [3, 4]),
        (([3], 0), ([0], 7)),
        is_leaf=lambda n: isinstance(n, list),
    )
    assert out == (((0, 1, [3]), (0, 2, 0)), (1, [3, 4], ([0], 7)))


def test_flatten_with_path_is_leaf():
    flat, treedef = tree_util.tree_flatten_with_path(
        {"a": (1, 2), "b": [3]}, is_leaf=lambda x: isinstance(x, tuple)
    )
    assert flat == [((DictKey("a"),), (1, 2)), ((DictKey("b"), SequenceKey(0)), 3)]
    assert treedef.num_leaves == 2


# --- treedefs ------------------------------------------------------------------


def test_treedef_equality_and_hash():
    t1 = tree_util.tree_structure((1, {"a": [2]}))
    t2 = tree_util.tree_structure(("x", {"a": [None.__class__]}))
    assert t1 == t2 and hash(t1) == hash(t2)
    assert t1 != tree_util.tree_structure((1, {"b": [2]}))
    assert t1 != tree_util.tree_structure([1, {"a": [2]}])
    assert t1 != tree_util.tree_structure((1, {"a": [2, 3]}))
    assert tree_util.tree_structure(Custom(1, 2, "m")) == tree_util.tree_structure(
        Custom(3, 4, "m")
    )
    assert tree_util.tree_structure(Custom(1, 2, "m")) != tree_util.tree_structure(
        Custom(1, 2, "n")
    )
    cache = {t1: "hit"}
    assert cache[t2] == "hit"
    assert t1 != (1, 2) and (t1 == object()) is False


def test_treedef_counts_and_children():
    treedef = tree_util.tree_structure(((1, 2, 3), (4,), None))
    assert treedef.num_leaves == 4
    assert treedef.num_nodes == 8
    c = treedef.children()
    assert c == [
        tree_util.tree_structure((0, 0, 0)),
        tree_util.tree_structure((0,)),
        tree_util.tree_structure(None),
    ]
    assert tree_util.treedef_children(treedef) == c
    assert tree_util.treedef_tuple(c) == treedef
    assert tree_util.tree_structure(5).children() == []
    assert tree_util.tree_structure((3,)) == tree_util.treedef_tuple((tree_util.tree_structure(3),))
    assert treedef.node_data() == (tuple, None)
    assert tree_util.tree_structure({"b": 1, "a": 2}).node_data() == (dict, ["a", "b"])
    assert tree_util.tree_structure(1).node_data() is None


def test_make_from_node_data_and_children_round_trips():
    for tree in [{"b": 1, "a": (2, None)}, Custom(1, [2], "m"), Point(1, 2), [1, 2]]:
        td = tree_util.tree_structure(tree)
        rebuilt = tree_util.PyTreeDef.make_from_node_data_and_children(
            None, td.node_data(), td.children()
        )
        assert rebuilt == td


def test_compose():
    outer = tree_util.tree_structure({"a": 0, "b": (0, None)})
    inner = tree_util.tree_structure([0, 0, 0])
    composed = outer.compose(inner)
    assert composed.num_leaves == 6
    assert (
        composed.num_nodes
        == (outer.num_nodes - outer.num_leaves) + inner.num_nodes * outer.num_leaves
    )
    assert composed == tree_util.tree_structure({"a": [0, 0, 0], "b": ([0, 0, 0], None)})


def test_walk_and_build_tree():
    d = {"b": 2, "a": 1, "c": {"b": 2, "a": 1}}
    leaves, treedef = tree_util.tree_flatten(d)
    nodes, data = [], []

    def f_node(children, node_data):
        nodes.append(children)
        data.append(node_data)
        return sum(children)

    assert treedef.walk(f_node, lambda x: x * 10, leaves) == 60
    assert nodes == [(10, 20), (10, 20, 30)]
    assert data == [["a", "b"], ["a", "b", "c"]]
    td = tree_util.tree_structure((0, [0, Point(0, 0)]))
    assert tree_util.build_tree(td, [1, [2, [3, 4]]]) == (1, [2, Point(3, 4)])
    with pytest.raises(ValueError, match="Arity mismatch"):
        tree_util.build_tree(td, [1, [2]])


def test_all_leaves():
    assert tree_util.all_leaves([1, "a", object()])
    assert not tree_util.all_leaves([1, (2,)])
    assert not tree_util.all_leaves([None])
    assert not tree_util.all_leaves([Point(1, 2)])
    assert tree_util.all_leaves([(1, 2), (3,)], is_leaf=lambda x: isinstance(x, tuple))
    assert not tree_util.all_leaves([[1]], is_leaf=lambda x: isinstance(x, tuple))


# --- reductions and transposes -----------------------------------------------------


def test_tree_reduce():
    assert tree_util.tree_reduce(operator.add, [1, (2, {"a": 3})]) == 6
    assert tree_util.tree_reduce(operator.add, [1, (2, 3)], 10) == 16
    assert tree_util.tree_reduce(operator.add, [], 0) == 0
    assert tree_util.tree_reduce(
        operator.add, [(1, 2), [(3, 4), (5, 6)]], is_leaf=lambda x: isinstance(x, tuple)
    ) == (1, 2, 3, 4, 5, 6)
    with pytest.raises(TypeError):
        tree_util.tree_reduce(operator.add, [None])


def test_tree_all():
    assert tree_util.tree_all([True, (1, None), {"a": "x"}])
    assert not tree_util.tree_all([True, (1, 0)])
    assert tree_util.tree_all(None)
    assert tree_util.tree_all([(0, 1)], is_leaf=lambda x: isinstance(x, tuple))


def test_tree_transpose():
    outer = tree_util.tree_structure([0, 0, 0])
    inner = tree_util.tree_structure((0, 0))
    out = tree_util.tree_transpose(outer, inner, [(1, 2), (3, 4), (5, 6)])
    assert out == ([1, 3, 5], [2, 4, 6])
    tree = {"a": Point(1, 2), "b": 3}
    nested = tree_util.tree_map(lambda x: [x, {"k": x * 10}], tree)
    expected = [tree, {"k": tree_util.tree_map(lambda x: x * 10, tree)}]
    assert tree_util.tree_transpose(tree_util.tree_structure(tree), None, nested) == expected
    assert (
        tree_util.tree_transpose(
            tree_util.tree_structure(tree), tree_util.tree_structure([0, {"k": 0}]), nested
        )
        == expected
    )


def test_tree_transpose_mismatch():
    tree = {"a": [1, 2], "b": [3, 4]}
    with pytest.raises(TypeError, match="Mismatch"):
        tree_util.tree_transpose(
            tree_util.tree_structure({"a": 1, "b": 2, "c": 3}),
            tree_util.tree_structure([1, 2]),
            tree,
        )
    with pytest.raises(TypeError, match="Mismatch"):
        tree_util.tree_transpose(
            tree_util.tree_structure({"a": 1, "b": 2}), tree_util.tree_structure([1, 2, 3]), tree
        )


def test_tree_broadcast():
    assert tree_util.tree_broadcast((1, 2), ((0, 0), [0, 0, 0])) == ((1, 1), [2, 2, 2])
    assert jtree.broadcast({"a": 0}, {"a": {"x": 1, "y": 2}}) == {"a": {"x": 0, "y": 0}}
    from tinyjax.core.pytree import broadcast_prefix

    assert broadcast_prefix((0, None), ([1, 2], 3), is_leaf=lambda x: x is None) == [0, 0, None]
    assert broadcast_prefix(0, {"a": 1, "b": (2, 3)}) == [0, 0, 0]


# --- registration ------------------------------------------------------------------


def test_register_pytree_node_class_round_trip():
    b = Box({"v": [1, 2]}, "tag")
    assert tree_util.tree_leaves(b) == [1, 2]
    out = tree_util.tree_map(lambda x: x * 3, b)
    assert out == Box({"v": [3, 6]}, "tag")
    assert tree_util.tree_structure(b) != tree_util.tree_structure(Box({"v": [1, 2]}, "other"))


def test_register_dataclass_styles():
    lin = Linear(w=(1.0, 2.0), b=3.0, features=7)
    leaves, treedef = tree_util.tree_flatten(lin)
    assert leaves == [1.0, 2.0, 3.0]
    assert treedef.unflatten([4.0, 5.0, 6.0]) == Linear(w=(4.0, 5.0), b=6.0, features=7)
    assert treedef != tree_util.tree_structure(Linear(w=(1.0, 2.0), b=3.0, features=8))
    ex = Explicit(a={"x": 1}, name="e")
    assert tree_util.tree_map(lambda x: -x, ex) == Explicit(a={"x": -1}, name="e")
    assert [tree_util.keystr(p) for p, _ in tree_util.tree_leaves_with_path(ex)] == [".a['x']"]


def test_register_dataclass_errors():
    class NotDC:
        x: int

    with pytest.raises(TypeError, match="data_fields and meta_fields are required"):
        tree_util.register_dataclass(NotDC)
    with pytest.raises(TypeError, match="must both be specified"):
        tree_util.register_dataclass(NotDC, data_fields=["x"])

    @dataclasses.dataclass
    class DC:
        x: int
        y: int
        z: float = dataclasses.field(init=False, default=0.0)

    with pytest.raises(ValueError, match="Missing fields: {'y'}"):
        tree_util.register_dataclass(DC, data_fields=["x"], meta_fields=[])
    with pytest.raises(ValueError, match="Unexpected fields: {'w'}"):
        tree_util.register_dataclass(DC, data_fields=["x", "y"], meta_fields=["w"])
    tree_util.register_dataclass(DC, data_fields=["x"], meta_fields=["y"])
    assert tree_util.tree_leaves(DC(1, 2)) == [1]


def test_register_static():
    leaves, treedef = tree_util.tree_flatten({"t": Tag("a"), "v": 1})
    assert leaves == [1]
    assert treedef.unflatten([2]) == {"t": Tag("a"), "v": 2}
    assert treedef != tree_util.tree_structure({"t": Tag("b"), "v": 1})


def test_duplicate_registration_and_bad_flatten():
    with pytest.raises(ValueError, match="Duplicate custom PyTreeDef type registration"):
        tree_util.register_pytree_node(Custom, lambda c: ((), None), lambda a, k: None)
    with pytest.raises(ValueError, match="Duplicate"):
        tree_util.register_pytree_node(tuple, lambda c: ((), None), lambda a, k: None)

    class Bad1:
        pass

    class Bad2:
        pass

    tree_util.register_pytree_node(Bad1, lambda o: "hello", lambda a, k: Bad1())
    tree_util.register_pytree_node(Bad2, lambda o: (7, 7), lambda a, k: Bad2())
    with pytest.raises(
        ValueError, match=r"should return a \(children, aux_data\) tuple, got 'hello'"
    ):
        tree_util.tree_flatten(Bad1())
    with pytest.raises(ValueError, match="where 'children' is iterable, got \\(7, 7\\)"):
        tree_util.tree_flatten(Bad2())


def test_flatten_one_level():
    from tinyjax.core.pytree import flatten_one_level

    assert flatten_one_level([1, (2,)]) == ([1, (2,)], None)
    assert flatten_one_level({"b": 1, "a": 2}) == ([2, 1], ("a", "b"))
    assert flatten_one_level(Custom(1, 2, "z")) == ([1, 2], "z")
    with pytest.raises(ValueError, match="can't tree-flatten type"):
        flatten_one_level(1)


# --- Partial -------------------------------------------------------------------


def test_partial_is_a_pytree():
    p = Partial(_fn, 1, 2, k=3)
    leaves, treedef = tree_util.tree_flatten(p)
    assert leaves == [1, 2, 3]
    assert repr(treedef).startswith("PyTreeDef(CustomNode(Partial[<function _fn")
    q = treedef.unflatten([10, 20, 30])
    assert isinstance(q, Partial)
    assert q.func is _fn and q.args == (10, 20) and q.keywords == {"k": 30}
    assert q(4) == ((10, 20, 4), {"k": 30})
    doubled = tree_util.tree_map(lambda x: x * 2, p)
    assert doubled() == ((2, 4), {"k": 6})


def test_partial_treedef_equality_is_by_func():
    assert tree_util.tree_structure(Partial(_fn, 1)) == tree_util.tree_structure(Partial(_fn, 2))
    assert tree_util.tree_structure(Partial(_fn, 1)) != tree_util.tree_structure(Partial(print, 1))
    assert tree_util.tree_structure(Partial(_fn, 1)) != tree_util.tree_structure(Partial(_fn, 1, 2))
    assert hash(tree_util.tree_structure(Partial(_fn, 1))) == hash(
        tree_util.tree_structure(Partial(_fn, 5))
    )


def test_partial_does_not_merge_functools_partial():
    g = functools.partial(_fn, 2)
    h = Partial(g, 3)
    assert h.args == (3,)
    assert tree_util.tree_leaves(h) == [3]
    assert h() == ((2, 3), {})
    assert h.func == g and g == h.func
    assert hash(Partial(g, 1).func) == hash(Partial(g, 2).func)
    assert tree_util.tree_structure(Partial(g, 1)) == tree_util.tree_structure(Partial(g, 9))


# --- the tinyjax.tree namespace -------------------------------------------------------


def test_tree_namespace_matches_tree_util():
    obj = [1, 2, (3, 4)]
    is_leaf = lambda x: isinstance(x, tuple)  # noqa: E731
    assert jtree.map(lambda x: x * 2, obj) == [2, 4, (6, 8)]
    assert jtree.map(lambda x, y: x + y, obj, obj, is_leaf=None) == [2, 4, (6, 8)]
    assert jtree.leaves(obj, is_leaf=is_leaf) == [1, 2, (3, 4)]
    assert jtree.structure(obj) == tree_util.tree_structure(obj)
    leaves, treedef = jtree.flatten(obj)
    assert jtree.unflatten(treedef, leaves) == obj
    assert jtree.reduce(operator.add, obj) == 10
    assert jtree.reduce(operator.add, obj, 5) == 15
    assert jtree.all([True, (1,)]) and not jtree.all([0])
    assert jtree.transpose(
        tree_util.tree_structure([0, 0]), tree_util.tree_structure((0, 0)), [(1, 2), (3, 4)]
    ) == ([1, 3], [2, 4])
    assert jtree.map_with_path(lambda kp, x: len(kp), obj) == [1, 1, (2, 2)]
    assert jtree.leaves_with_path(obj) == tree_util.tree_leaves_with_path(obj)
    assert jtree.flatten_with_path(obj, is_leaf=is_leaf) == tree_util.tree_flatten_with_path(
        obj, is_leaf=is_leaf
    )


# --- random trees ----------------------------------------------------------------------

_leaf = st.one_of(
    st.integers(-5, 5),
    st.text(max_size=2),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.none(),
)
_keys = st.text(alphabet="abcdef", min_size=1, max_size=2)


def _extend(children):
    return st.one_of(
        st.lists(children, max_size=3).map(tuple),
        st.lists(children, max_size=3),
        st.dictionaries(_keys, children, max_size=3),
        st.tuples(children, children).map(lambda xy: Point(*xy)),
        st.lists(st.tuples(_keys, children), max_size=3).map(collections.OrderedDict),
        st.dictionaries(_keys, children, max_size=3).map(
            lambda d: collections.defaultdict(list, d)
        ),
        st.tuples(children, children).map(lambda xy: Custom(xy[0], xy[1], "s")),
        st.tuples(children, children).map(lambda wb: Linear(*wb)),
    )


trees = st.recursive(_leaf, _extend, max_leaves=12)


def _follow(tree, path):
    for k in path:
        if isinstance(k, SequenceKey):
            tree = tree[k.idx]
        elif isinstance(k, DictKey):
            tree = tree[k.key]
        elif isinstance(k, GetAttrKey):
            tree = getattr(tree, k.name)
        else:
            tree = [tree.x, tree.y][k.key]  # FlattenedIndexKey: only Custom here
    return tree


@settings(max_examples=50, deadline=None)
@given(trees)
def test_random_trees_round_trip(tree):
    leaves, treedef = tree_util.tree_flatten(tree)
    assert treedef.num_leaves == len(leaves)
    assert tree_util.tree_leaves(tree) == leaves
    rebuilt = treedef.unflatten(leaves)
    assert rebuilt == tree
    assert tree_util.tree_structure(rebuilt) == treedef
    assert hash(tree_util.tree_structure(rebuilt)) == hash(treedef)
    assert treedef.flatten_up_to(tree) == leaves
    assert_same(rebuilt, tree)
    # Key paths lead to their leaves and agree with plain flattening.
    flat, treedef2 = tree_util.tree_flatten_with_path(tree)
    assert treedef2 == treedef
    assert [x for _, x in flat] == leaves
    for path, x in flat:
        assert _follow(tree, path) == x
    # Structure survives pickling and is independent of leaf values.
    assert pickle.loads(pickle.dumps(treedef)) == treedef
    relabeled = treedef.unflatten(list(range(len(leaves))))
    assert tree_util.tree_leaves(relabeled) == list(range(len(leaves)))
    assert tree_util.tree_structure(relabeled) == treedef


class _Both:
    """An unregistered (so leaf) pair."""

    def __init__(self, x, y):
        self.x, self.y = x, y


@settings(max_examples=50, deadline=None)
@given(trees, trees)
def test_random_tree_map_two_trees(a, b):
    ta, tb = tree_util.tree_structure(a), tree_util.tree_structure(b)
    if ta == tb:
        out = tree_util.tree_map(_Both, a, b)
        assert tree_util.tree_structure(out) == ta
        assert [(v.x, v.y) for v in tree_util.tree_leaves(out)] == list(
            zip(tree_util.tree_leaves(a), tree_util.tree_leaves(b))
        )
    else:
        try:
            ta.flatten_up_to(b)
        except ValueError:
            with pytest.raises(ValueError):
                tree_util.tree_map(lambda x, y: x, a, b)
        else:
            # b has a's structure as a prefix: tree_map pairs leaves of a with subtrees of b.
            out = tree_util.tree_map(lambda x, y: _Both(x, y), a, b)
            assert [(v.x, v.y) for v in tree_util.tree_leaves(out)] == list(
                zip(tree_util.tree_leaves(a), ta.flatten_up_to(b))
            )


def test_flatten_up_to_does_not_mutate_defaultdict():
    # found by hypothesis: reading a missing key of a defaultdict used to insert it
    b = collections.defaultdict(list, {"a": None})
    with pytest.raises(ValueError, match="Dict key mismatch"):
        tree_util.tree_structure({"aa": 0}).flatten_up_to(b)
    assert dict(b) == {"a": None}
