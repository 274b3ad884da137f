"""Pytrees: nested containers whose leaves are the values transformations act on.

Semantics follow ``jax.tree_util``:

- ``None`` is a node with no children (not a leaf), so ``tree_map(f, None)`` is
  ``None``.
- tuples, lists, dicts (children in sorted key order), namedtuples (any tuple
  subclass with ``_fields``), ``collections.OrderedDict`` (insertion order) and
  ``collections.defaultdict`` (sorted keys, keeps ``default_factory``) are nodes.
- anything else is a leaf unless its exact type was registered with
  ``register_pytree_node`` and friends.

A ``PyTreeDef`` wraps a nested tuple ``(entry, aux, children)`` per node (the
singleton ``_LEAF`` marks a leaf), so structural equality and hashing are plain
tuple equality and hashing, done in C. ``entry`` is the registry record of the
node's type (compared by identity) and ``aux`` its static data.

This module is the bottom layer of tinyjax: it imports nothing from tinyjax.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import operator
from typing import Any, Callable, Hashable, Iterable, Sequence, TypeVar

__all__ = [
    "PyTreeDef",
    "Partial",
    "SequenceKey",
    "DictKey",
    "GetAttrKey",
    "FlattenedIndexKey",
    "KeyEntry",
    "KeyPath",
    "tree_flatten",
    "tree_unflatten",
    "tree_leaves",
    "tree_structure",
    "tree_map",
    "tree_reduce",
    "tree_all",
    "tree_transpose",
    "tree_broadcast",
    "tree_flatten_with_path",
    "tree_leaves_with_path",
    "tree_map_with_path",
    "keystr",
    "treedef_children",
    "treedef_is_leaf",
    "treedef_is_strict_leaf",
    "treedef_tuple",
    "all_leaves",
    "build_tree",
    "register_pytree_node",
    "register_pytree_with_keys",
    "register_pytree_node_class",
    "register_pytree_with_keys_class",
    "register_dataclass",
    "register_static",
    "flatten_one_level",
    "broadcast_prefix",
]

T = TypeVar("T")


# ---------------------------------------------------------------------------
# Key path entries
# ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SequenceKey:
    """Key of a tuple/list child: ``SequenceKey(0)`` prints as ``[0]``."""

    idx: int

    def __str__(self) -> str:
        return f"[{self.idx!r}]"

    def __hash__(self) -> int:
        return hash((SequenceKey, self.idx))


@dataclasses.dataclass(frozen=True)
class DictKey:
    """Key of a dict child: ``DictKey('a')`` prints as ``['a']``."""

    key: Hashable

    def __str__(self) -> str:
        return f"[{self.key!r}]"

    def __hash__(self) -> int:
        return hash((DictKey, self.key))


@dataclasses.dataclass(frozen=True)
class GetAttrKey:
    """Key of an attribute child (namedtuple field, dataclass field): ``.name``."""

    name: str

    def __str__(self) -> str:
        return f".{self.name}"

    def __hash__(self) -> int:
        return hash((GetAttrKey, self.name))


@dataclasses.dataclass(frozen=True)
class FlattenedIndexKey:
    """Key of a child of a custom node registered without keys."""

    key: int

    def __str__(self) -> str:
        return f"[<flat index {self.key}>]"

    def __hash__(self) -> int:
        return hash((FlattenedIndexKey, self.key))


KeyEntry = Any  # one of the key classes above, or anything a custom node returns
KeyPath = tuple  # tuple[KeyEntry, ...]


def keystr(keys: KeyPath, *, simple: bool = False, separator: str = "") -> str:
    """Format a key path the way JAX does.

    >>> keystr((SequenceKey(0), DictKey('a'), GetAttrKey('b')))
    "[0]['a'].b"
    >>> keystr((SequenceKey(0), DictKey('a')), simple=True, separator='/')
    '0/a'
    """
    str_fn = _simple_entrystr if simple else str
    return separator.join(str_fn(k) for k in keys)


def _simple_entrystr(key: Any) -> str:
    if isinstance(key, SequenceKey):
        return str(key.idx)
    if isinstance(key, DictKey):
        return str(key.key)
    if isinstance(key, GetAttrKey):
        return str(key.name)
    if isinstance(key, FlattenedIndexKey):
        return str(key.key)
    return str(key)


# ---------------------------------------------------------------------------
# The registry
# ---------------------------------------------------------------------------

_NONE, _TUPLE, _LIST, _DICT, _NAMEDTUPLE, _CUSTOM = range(6)


class _NodeEntry:
    """How to take one node type apart and put it back together.

    ``flatten(x) -> (children, aux)``; ``unflatten(aux, children_tuple) -> x``;
    ``flatten_with_keys(x) -> (((key, child), ...), aux)``. Entries are
    singletons per type and compare by identity.
    """

    __slots__ = ("type", "kind", "flatten", "unflatten", "flatten_with_keys")

    def __init__(self, type_, kind, flatten, unflatten, flatten_with_keys):
        self.type = type_
        self.kind = kind
        self.flatten = flatten
        self.unflatten = unflatten
        self.flatten_with_keys = flatten_with_keys

    def __reduce__(self):
        return (_entry_for_type, (self.type,))

    def __repr__(self) -> str:
        return f"<pytree node entry for {self.type!r}>"


_registry: dict[type, _NodeEntry] = {}
_namedtuple_entries: dict[type, _NodeEntry] = {}


def _entry_for_type(t: type) -> _NodeEntry:
    entry = _registry.get(t)
    if entry is None:
        if issubclass(t, tuple) and hasattr(t, "_fields"):
            return _namedtuple_entry(t)
        raise ValueError(f"{t!r} is not a registered pytree node type.")
    return entry


def _namedtuple_entry(t: type) -> _NodeEntry:
    entry = _namedtuple_entries.get(t)
    if entry is None:
        fields = tuple(t._fields)

        def flatten_with_keys(x):
            return tuple(zip(map(GetAttrKey, fields), x)), None

        entry = _NodeEntry(
            t, _NAMEDTUPLE, lambda x: (x, None), lambda aux, kids: t(*kids), flatten_with_keys
        )
        entry = _namedtuple_entries.setdefault(t, entry)
    return entry


def _sorted_keys(d: dict) -> tuple:
    try:
        return tuple(sorted(d))
    except TypeError as e:
        raise ValueError(
            f"Comparator raised exception while sorting pytree dictionary keys ({e}). "
            f"Pytree dicts order their children by sorted key, so keys must be mutually "
            f"comparable; got keys {list(d)!r}."
        ) from e


def _dict_flatten(d):
    keys = _sorted_keys(d)
    return [d[k] for k in keys], keys


def _dict_flatten_with_keys(d):
    keys = _sorted_keys(d)
    return [(DictKey(k), d[k]) for k in keys], keys


def _seq_flatten_with_keys(x):
    return [(SequenceKey(i), c) for i, c in enumerate(x)], None


def _ordereddict_flatten(d):
    return tuple(d.values()), tuple(d.keys())


def _ordereddict_flatten_with_keys(d):
    return [(DictKey(k), v) for k, v in d.items()], tuple(d.keys())


def _defaultdict_flatten(d):
    keys = _sorted_keys(d)
    return [d[k] for k in keys], (d.default_factory, keys)


def _defaultdict_flatten_with_keys(d):
    keys = _sorted_keys(d)
    return [(DictKey(k), d[k]) for k in keys], (d.default_factory, keys)


_NONE_ENTRY = _NodeEntry(
    type(None), _NONE, lambda x: ((), None), lambda aux, kids: None, lambda x: ((), None)
)
_TUPLE_ENTRY = _NodeEntry(
    tuple, _TUPLE, lambda x: (x, None), lambda aux, kids: tuple(kids), _seq_flatten_with_keys
)
_LIST_ENTRY = _NodeEntry(
    list, _LIST, lambda x: (x, None), lambda aux, kids: list(kids), _seq_flatten_with_keys
)
_DICT_ENTRY = _NodeEntry(
    dict, _DICT, _dict_flatten, lambda keys, kids: dict(zip(keys, kids)), _dict_flatten_with_keys
)
for _e in (_NONE_ENTRY, _TUPLE_ENTRY, _LIST_ENTRY, _DICT_ENTRY):
    _registry[_e.type] = _e
_registry[collections.OrderedDict] = _NodeEntry(
    collections.OrderedDict,
    _CUSTOM,
    _ordereddict_flatten,
    lambda keys, kids: collections.OrderedDict(zip(keys, kids)),
    _ordereddict_flatten_with_keys,
)
_registry[collections.defaultdict] = _NodeEntry(
    collections.defaultdict,
    _CUSTOM,
    _defaultdict_flatten,
    lambda aux, kids: collections.defaultdict(aux[0], zip(aux[1], kids)),
    _defaultdict_flatten_with_keys,
)
del _e


class _LeafMarker:
    """The structure of a leaf. A singleton, so ``node is _LEAF`` is the test."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "*"

    def __reduce__(self):
        return "_LEAF"


_LEAF = _LeafMarker()
_NONE_NODE = (_NONE_ENTRY, None, ())


def _check_flatten_result(res, x):
    if type(res) is not tuple or len(res) != 2:
        raise ValueError(
            "The to_iterable function for a custom PyTree node should return a "
            f"(children, aux_data) tuple, got {res!r} (flattening a {type(x).__name__})."
        )
    children, aux = res
    try:
        iter(children)
    except TypeError:
        raise ValueError(
            "The to_iterable function for a custom PyTree node should return a "
            f"(children, aux_data) tuple where 'children' is iterable, got {res!r} "
            f"(flattening a {type(x).__name__})."
        ) from None
    return children, aux


def register_pytree_node(
    nodetype: type[T],
    flatten_func: Callable[[T], tuple[Iterable[Any], Hashable]],
    unflatten_func: Callable[[Hashable, Iterable[Any]], T],
    flatten_with_keys_func: Callable[[T], tuple[Iterable[tuple[Any, Any]], Hashable]] | None = None,
) -> None:
    """Make instances of ``nodetype`` (exact type) pytree nodes.

    ``flatten_func(x) -> (children, aux_data)``; ``unflatten_func(aux_data,
    children) -> x``. ``aux_data`` is static: it must be hashable and is compared
    with ``==`` when treedefs are compared.

    >>> class Pair:
    ...     def __init__(self, a, b): self.a, self.b = a, b
    >>> register_pytree_node(Pair, lambda p: ((p.a, p.b), None),
    ...                      lambda aux, kids: Pair(*kids))
    >>> tree_leaves(Pair(1, (2, 3)))
    [1, 2, 3]
    """
    if nodetype in _registry:
        raise ValueError(f"Duplicate custom PyTreeDef type registration for {nodetype}.")
    if flatten_with_keys_func is None:

        def flatten_with_keys_func(x):
            children, aux = _check_flatten_result(flatten_func(x), x)
            return [(FlattenedIndexKey(i), c) for i, c in enumerate(children)], aux

    _registry[nodetype] = _NodeEntry(
        nodetype, _CUSTOM, flatten_func, unflatten_func, flatten_with_keys_func
    )


def register_pytree_with_keys(
    nodetype: type[T],
    flatten_with_keys: Callable[[T], tuple[Iterable[tuple[Any, Any]], Hashable]],
    unflatten_func: Callable[[Hashable, Iterable[Any]], T],
    flatten_func: Callable[[T], tuple[Iterable[Any], Hashable]] | None = None,
) -> None:
    """Register a node type whose flatten also names each child with a key.

    ``flatten_with_keys(x) -> (((key, child), ...), aux_data)``. Without
    ``flatten_func``, plain flattening drops the keys from ``flatten_with_keys``.

    >>> class P:
    ...     def __init__(self, a): self.a = a
    >>> register_pytree_with_keys(P, lambda p: (((GetAttrKey('a'), p.a),), None),
    ...                           lambda aux, kids: P(*kids))
    >>> keystr(tree_leaves_with_path(P(1))[0][0])
    '.a'
    """
    if flatten_func is None:

        def flatten_func(x):
            keyed, aux = _check_flatten_result(flatten_with_keys(x), x)
            return [c for _, c in keyed], aux

    register_pytree_node(nodetype, flatten_func, unflatten_func, flatten_with_keys)


def register_pytree_node_class(cls: type[T]) -> type[T]:
    """Class decorator: register ``cls`` using its ``tree_flatten`` method and
    ``tree_unflatten(aux_data, children)`` classmethod.

    >>> @register_pytree_node_class
    ... class Box:
    ...     def __init__(self, v): self.v = v
    ...     def tree_flatten(self): return (self.v,), None
    ...     @classmethod
    ...     def tree_unflatten(cls, aux, kids): return cls(*kids)
    >>> tree_leaves(Box([1, 2]))
    [1, 2]
    """
    register_pytree_node(cls, operator.methodcaller("tree_flatten"), cls.tree_unflatten)
    return cls


def register_pytree_with_keys_class(cls: type[T]) -> type[T]:
    """Class decorator like ``register_pytree_node_class`` using the
    ``tree_flatten_with_keys`` method (and ``tree_flatten`` if defined)."""
    flatten_func = operator.methodcaller("tree_flatten") if hasattr(cls, "tree_flatten") else None
    register_pytree_with_keys(
        cls, operator.methodcaller("tree_flatten_with_keys"), cls.tree_unflatten, flatten_func
    )
    return cls


def _attr_tuple_getter(names: Sequence[str]) -> Callable[[Any], tuple]:
    if not names:
        return lambda x: ()
    if len(names) == 1:
        name = names[0]
        return lambda x: (getattr(x, name),)
    return operator.attrgetter(*names)


def register_dataclass(
    nodetype: type[T],
    data_fields: Sequence[str] | None = None,
    meta_fields: Sequence[str] | None = None,
    drop_fields: Sequence[str] = (),
) -> type[T]:
    """Register a dataclass-like type: ``data_fields`` are children, ``meta_fields``
    are static (part of the treedef). Usable as a bare decorator on a dataclass:
    fields with ``field(metadata=dict(static=True))`` are meta, the rest data.

    >>> @register_dataclass
    ... @dataclasses.dataclass
    ... class Lin:
    ...     w: Any
    ...     n: int = dataclasses.field(metadata=dict(static=True), default=3)
    >>> tree_leaves(Lin(w=1.0))
    [1.0]
    """
    if data_fields is None and meta_fields is None:
        if not dataclasses.is_dataclass(nodetype):
            raise TypeError(
                "register_dataclass: data_fields and meta_fields are required when "
                f"nodetype is not a dataclass. Got nodetype={nodetype!r}."
            )
        data_fields, meta_fields = [], []
        for f in dataclasses.fields(nodetype):
            if not f.init or f.name in drop_fields:
                continue
            (meta_fields if f.metadata.get("static", False) else data_fields).append(f.name)
    elif data_fields is None or meta_fields is None:
        raise TypeError(
            "register_dataclass: data_fields and meta_fields must both be specified when "
            f"either is specified. Got data_fields={data_fields!r} meta_fields={meta_fields!r}."
        )
    else:
        data_fields, meta_fields = list(data_fields), list(meta_fields)
        if dataclasses.is_dataclass(nodetype):
            init_fields = {f.name for f in dataclasses.fields(nodetype) if f.init}
            init_fields.difference_update(drop_fields)
            given = {*data_fields, *meta_fields}
            if given != init_fields:
                msg = (
                    "register_dataclass: data_fields and meta_fields must include all "
                    f"dataclass fields with ``init=True`` and only them. Got "
                    f"data_fields={data_fields!r} meta_fields={meta_fields!r}."
                )
                if init_fields - given:
                    msg += f" Missing fields: {init_fields - given}."
                if given - init_fields:
                    msg += f" Unexpected fields: {given - init_fields}."
                raise ValueError(msg)

    data_fields, meta_fields = tuple(data_fields), tuple(meta_fields)
    get_data = _attr_tuple_getter(data_fields)
    get_meta = _attr_tuple_getter(meta_fields)
    data_keys = tuple(GetAttrKey(n) for n in data_fields)

    def flatten(x):
        return get_data(x), get_meta(x)

    def flatten_with_keys(x):
        return tuple(zip(data_keys, get_data(x))), get_meta(x)

    def unflatten(meta, data):
        kwargs = dict(zip(meta_fields, meta))
        kwargs.update(zip(data_fields, data))
        return nodetype(**kwargs)

    register_pytree_node(nodetype, flatten, unflatten, flatten_with_keys)
    return nodetype


def register_static(cls: type[T]) -> type[T]:
    """Class decorator: instances become childless nodes carrying themselves as
    static data (so they must be hashable), i.e. they never become leaves.

    >>> @register_static
    ... class Tag(str): pass
    >>> tree_leaves([Tag('x'), 1])
    [1]
    """
    register_pytree_node(cls, lambda obj: ((), obj), lambda obj, _: obj)
    return cls


# ---------------------------------------------------------------------------
# Flattening
# ---------------------------------------------------------------------------


def _flatten(x, leaves, is_leaf):
    if is_leaf is not None and is_leaf(x):
        leaves.append(x)
        return _LEAF
    t = type(x)
    # The builtin containers first: they are nearly every node we ever see.
    if t is tuple:
        return (_TUPLE_ENTRY, None, tuple([_flatten(c, leaves, is_leaf) for c in x]))
    if t is list:
        return (_LIST_ENTRY, None, tuple([_flatten(c, leaves, is_leaf) for c in x]))
    if t is dict:
        keys = _sorted_keys(x)
        return (_DICT_ENTRY, keys, tuple([_flatten(x[k], leaves, is_leaf) for k in keys]))
    if x is None:
        return _NONE_NODE
    entry = _registry.get(t)
    if entry is None:
        if isinstance(x, tuple) and hasattr(t, "_fields"):
            return (
                _namedtuple_entry(t),
                None,
                tuple([_flatten(c, leaves, is_leaf) for c in x]),
            )
        leaves.append(x)
        return _LEAF
    children, aux = _check_flatten_result(entry.flatten(x), x)
    return (entry, aux, tuple([_flatten(c, leaves, is_leaf) for c in children]))


def _leaves(x, leaves, is_leaf):
    """``_flatten`` without building the structure."""
    if is_leaf is not None and is_leaf(x):
        leaves.append(x)
        return
    t = type(x)
    if t is tuple or t is list:
        for c in x:
            _leaves(c, leaves, is_leaf)
        return
    if t is dict:
        for k in _sorted_keys(x):
            _leaves(x[k], leaves, is_leaf)
        return
    if x is None:
        return
    entry = _registry.get(t)
    if entry is None:
        if isinstance(x, tuple) and hasattr(t, "_fields"):
            for c in x:
                _leaves(c, leaves, is_leaf)
            return
        leaves.append(x)
        return
    children, _ = _check_flatten_result(entry.flatten(x), x)
    for c in children:
        _leaves(c, leaves, is_leaf)


def _flatten_with_path(x, path, out, is_leaf):
    if is_leaf is not None and is_leaf(x):
        out.append((path, x))
        return _LEAF
    t = type(x)
    entry = _registry.get(t)
    if entry is None:
        if isinstance(x, tuple) and hasattr(t, "_fields"):
            entry = _namedtuple_entry(t)
        else:
            out.append((path, x))
            return _LEAF
    keyed, aux = _check_flatten_result(entry.flatten_with_keys(x), x)
    children = tuple([_flatten_with_path(c, path + (k,), out, is_leaf) for k, c in keyed])
    return (entry, aux, children)


def _unflatten(node, it):
    if node is _LEAF:
        return next(it)
    entry, aux, children = node
    return entry.unflatten(aux, tuple([_unflatten(c, it) for c in children]))


def _count_leaves(node) -> int:
    if node is _LEAF:
        return 1
    return sum(_count_leaves(c) for c in node[2])


def _count_nodes(node) -> int:
    if node is _LEAF:
        return 1
    return 1 + sum(_count_nodes(c) for c in node[2])


# --- flatten_up_to ---------------------------------------------------------


class _Mismatch(ValueError):
    """Raised inside ``_flatten_up_to``; ``path`` collects (entry, aux, x, i)
    innermost first so the key path is only computed when there is an error."""

    def __init__(self, msg):
        super().__init__(msg)
        self.msg = msg
        self.path = []


def _up_to_children(entry, aux, n, x):
    """The children of ``x`` matching a node ``(entry, aux, <n children>)``."""
    kind = entry.kind
    if kind == _TUPLE:
        if not isinstance(x, tuple):
            raise _Mismatch(f"Expected tuple, got {x!r}.")
        if len(x) != n:
            raise _Mismatch(f"Tuple arity mismatch: {len(x)} != {n}; tuple: {x!r}.")
        return x
    if kind == _LIST:
        if not isinstance(x, list):
            raise _Mismatch(f"Expected list, got {x!r}.")
        if len(x) != n:
            raise _Mismatch(f"List arity mismatch: {len(x)} != {n}; list: {x!r}.")
        return x
    if kind == _DICT:
        if not isinstance(x, dict):
            raise _Mismatch(f"Expected dict, got {x!r}.")
        # `k in x` before `x[k]`: indexing a defaultdict would insert missing keys
        if len(x) == n and all(k in x for k in aux):
            return [x[k] for k in aux]
        raise _Mismatch(f"Dict key mismatch; expected keys: {list(aux)!r}; dict: {x!r}.")
    if kind == _NONE:
        if x is not None:
            raise _Mismatch(f"Expected None, got {x!r}.")
        return ()
    if kind == _NAMEDTUPLE:
        if not isinstance(x, tuple) or not hasattr(type(x), "_fields"):
            raise _Mismatch(f"Expected named tuple, got {x!r}.")
        if type(x) is not entry.type:
            raise _Mismatch(
                f"Named tuple type mismatch: expected type: {entry.type!r}, tuple: {x!r}."
            )
        if len(x) != n:
            raise _Mismatch(f"Named tuple arity mismatch: {len(x)} != {n}; tuple: {x!r}.")
        return x
    # custom node
    if type(x) is not entry.type:
        raise _Mismatch(f"Custom node type mismatch; expected type: {entry.type!r}; value: {x!r}.")
    children, x_aux = _check_flatten_result(entry.flatten(x), x)
    children = tuple(children)
    if len(children) != n:
        raise _Mismatch(f"Custom type arity mismatch: {len(children)} != {n}; value: {x!r}.")
    if not (x_aux is aux or x_aux == aux):
        raise _Mismatch(f"Mismatch custom node data: {x_aux!r} != {aux!r}; value: {x!r}.")
    return children


def _flatten_up_to(node, x, out):
    if node is _LEAF:
        out.append(x)
        return
    entry, aux, children = node
    xs = _up_to_children(entry, aux, len(children), x)
    i = 0
    for c, xc in zip(children, xs):
        if c is _LEAF:
            out.append(xc)
        else:
            try:
                _flatten_up_to(c, xc, out)
            except _Mismatch as e:
                e.path.append((entry, aux, x, i))
                raise
        i += 1


def _key_for_child(entry, aux, x, i):
    kind = entry.kind
    if kind == _TUPLE or kind == _LIST:
        return SequenceKey(i)
    if kind == _DICT:
        return DictKey(aux[i])
    if kind == _NAMEDTUPLE:
        return GetAttrKey(entry.type._fields[i])
    try:
        keyed, _ = entry.flatten_with_keys(x)
        return list(keyed)[i][0]
    except Exception:  # only used to decorate an error message
        return FlattenedIndexKey(i)


def _mismatch_message(e: _Mismatch, treedef: PyTreeDef, x: Any) -> str:
    path = tuple(_key_for_child(*p) for p in reversed(e.path))
    try:
        got = repr(tree_structure(x))
    except Exception as err:  # the tree may not even flatten (unsortable keys)
        got = f"<cannot flatten: {err}>"
    where = keystr(path) if path else "<root>"
    return (
        f"{e.msg}\n"
        f"  at key path {where}\n"
        f"  expected a tree whose structure has this prefix: {treedef!r}\n"
        f"  got a tree with structure:                       {got}"
    )


# ---------------------------------------------------------------------------
# PyTreeDef
# ---------------------------------------------------------------------------


def _node_repr(node) -> str:
    if node is _LEAF:
        return "*"
    entry, aux, children = node
    kind = entry.kind
    if kind == _NONE:
        return "None"
    if kind == _TUPLE:
        if len(children) == 1:
            return f"({_node_repr(children[0])},)"
        return "(" + ", ".join(map(_node_repr, children)) + ")"
    if kind == _LIST:
        return "[" + ", ".join(map(_node_repr, children)) + "]"
    if kind == _DICT:
        return "{" + ", ".join(f"{k!r}: {_node_repr(c)}" for k, c in zip(aux, children)) + "}"
    kids = "[" + ", ".join(map(_node_repr, children)) + "]"
    if kind == _NAMEDTUPLE:
        return f"CustomNode(namedtuple[{entry.type.__name__}], {kids})"
    return f"CustomNode({entry.type.__name__}[{aux}], {kids})"


def _node_data(entry, aux):
    kind = entry.kind
    if kind == _DICT:
        return list(aux)
    if kind == _CUSTOM:
        return aux
    return None


class PyTreeDef:
    """The structure of a pytree: everything but the leaves.

    >>> leaves, treedef = tree_flatten((1, {'a': 2}))
    >>> treedef
    PyTreeDef((*, {'a': *}))
    >>> treedef.unflatten([3, 4])
    (3, {'a': 4})
    """

    __slots__ = ("_root", "_num_leaves", "_num_nodes", "_hash")

    def __init__(self, root, num_leaves: int | None = None):
        self._root = root
        self._num_leaves = num_leaves
        self._num_nodes = None
        self._hash = None

    @property
    def num_leaves(self) -> int:
        n = self._num_leaves
        if n is None:
            n = self._num_leaves = _count_leaves(self._root)
        return n

    @property
    def num_nodes(self) -> int:
        """Number of nodes, counting leaves and ``None``s: ``(1, 2)`` has 3."""
        n = self._num_nodes
        if n is None:
            n = self._num_nodes = _count_nodes(self._root)
        return n

    def children(self) -> list[PyTreeDef]:
        """The treedefs of the root's children (``[]`` for a leaf)."""
        if self._root is _LEAF:
            return []
        return [PyTreeDef(c) for c in self._root[2]]

    def node_data(self):
        """``(node type, node data)`` of the root, or ``None`` for a leaf."""
        if self._root is _LEAF:
            return None
        entry, aux, _ = self._root
        return entry.type, _node_data(entry, aux)

    def unflatten(self, leaves: Iterable[Any]) -> Any:
        """Rebuild a tree of this structure from ``leaves`` (in flatten order)."""
        if type(leaves) is not list and type(leaves) is not tuple:
            leaves = list(leaves)
        n = self.num_leaves
        if len(leaves) != n:
            few = "few" if len(leaves) < n else "many"
            raise ValueError(
                f"Too {few} leaves for PyTreeDef; expected {n}, got {len(leaves)}. "
                f"Structure: {self!r}."
            )
        return _unflatten(self._root, iter(leaves))

    def flatten_up_to(self, xs: Any) -> list[Any]:
        """Flatten ``xs`` only as deep as this structure: where this treedef has a
        leaf, the whole corresponding subtree of ``xs`` is returned.

        >>> tree_structure((1, 2)).flatten_up_to(([1, 2], {'a': 3}))
        [[1, 2], {'a': 3}]
        """
        out = []
        try:
            _flatten_up_to(self._root, xs, out)
        except _Mismatch as e:
            raise ValueError(_mismatch_message(e, self, xs)) from None
        return out

    def compose(self, inner: PyTreeDef) -> PyTreeDef:
        """The structure of this tree with every leaf replaced by ``inner``."""
        inner_root = inner._root

        def sub(node):
            if node is _LEAF:
                return inner_root
            entry, aux, children = node
            return (entry, aux, tuple(map(sub, children)))

        return PyTreeDef(sub(self._root))

    def walk(self, f_node: Callable, f_leaf: Callable | None, leaves: Iterable[Any]) -> Any:
        """Fold over the tree bottom-up: ``f_leaf(leaf)`` at leaves (identity if
        ``None``) and ``f_node(tuple_of_child_results, node_data)`` at nodes."""
        it = iter(leaves)

        def go(node):
            if node is _LEAF:
                x = next(it)
                return x if f_leaf is None else f_leaf(x)
            entry, aux, children = node
            return f_node(tuple(go(c) for c in children), _node_data(entry, aux))

        return go(self._root)

    def from_iterable_tree(self, xs: Any) -> Any:
        """Build a tree of this structure from nested iterables ``xs`` whose
        nesting follows the nodes (each node given as an iterable of children)."""

        def go(node, x):
            if node is _LEAF:
                return x
            entry, aux, children = node
            kids = list(x)
            if len(kids) != len(children):
                raise ValueError(
                    f"Arity mismatch between trees: node {_node_repr(node)} has "
                    f"{len(children)} children, got {len(kids)}: {kids!r}."
                )
            return entry.unflatten(aux, tuple(go(c, k) for c, k in zip(children, kids)))

        return go(self._root, xs)

    @staticmethod
    def make_from_node_data_and_children(registry, node_data, children) -> PyTreeDef:
        """Inverse of ``node_data()``/``children()`` (``registry`` is ignored:
        tinyjax has a single registry)."""
        if node_data is None:
            return PyTreeDef(_LEAF)
        t, data = node_data
        entry = _entry_for_type(t)
        kids = tuple(c._root for c in children)
        if entry.kind == _DICT:
            aux = tuple(data)
        elif entry.kind == _CUSTOM:
            aux = data
        else:
            aux = None
        return PyTreeDef((entry, aux, kids))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PyTreeDef):
            return NotImplemented
        return self is other or self._root == other._root

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self) -> int:
        h = self._hash
        if h is None:
            h = self._hash = hash(self._root)
        return h

    def __repr__(self) -> str:
        return f"PyTreeDef({_node_repr(self._root)})"

    def __reduce__(self):
        return (PyTreeDef, (self._root,))


_LEAF_TREEDEF = PyTreeDef(_LEAF, 1)


# ---------------------------------------------------------------------------
# The tree_util API
# ---------------------------------------------------------------------------


def tree_flatten(
    tree: Any, is_leaf: Callable[[Any], bool] | None = None
) -> tuple[list[Any], PyTreeDef]:
    """Split a pytree into its leaves (in order) and its structure.

    >>> tree_flatten({'b': (1, None), 'a': [2]})
    ([2, 1], PyTreeDef({'a': [*], 'b': (*, None)}))
    """
    leaves = []
    root = _flatten(tree, leaves, is_leaf)
    return leaves, PyTreeDef(root, len(leaves))


def tree_unflatten(treedef: PyTreeDef, leaves: Iterable[Any]) -> Any:
    """Rebuild a pytree from its structure and leaves.

    >>> tree_unflatten(tree_structure((1, [2])), ['x', 'y'])
    ('x', ['y'])
    """
    return treedef.unflatten(leaves)


def tree_leaves(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> list[Any]:
    """The leaves of a pytree, in flatten order.

    >>> tree_leaves([1, (2, None), {'b': 4, 'a': 3}])
    [1, 2, 3, 4]
    """
    leaves = []
    _leaves(tree, leaves, is_leaf)
    return leaves


def tree_structure(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> PyTreeDef:
    """The structure (treedef) of a pytree.

    >>> tree_structure((1, [2, 3]))
    PyTreeDef((*, [*, *]))
    """
    leaves = []
    root = _flatten(tree, leaves, is_leaf)
    return PyTreeDef(root, len(leaves))


def _flatten_rest(treedef: PyTreeDef, rest: tuple, fname: str) -> list[list[Any]]:
    out = []
    for i, r in enumerate(rest):
        xs = []
        try:
            _flatten_up_to(treedef._root, r, xs)
        except _Mismatch as e:
            raise ValueError(
                f"{fname}: argument {i + 2} (tree {i + 1} of `rest`) does not have the "
                f"structure of the first tree as a prefix: {_mismatch_message(e, treedef, r)}"
            ) from None
        out.append(xs)
    return out


def tree_map(
    f: Callable[..., Any],
    tree: Any,
    *rest: Any,
    is_leaf: Callable[[Any], bool] | None = None,
) -> Any:
    """Apply ``f`` to the leaves of ``tree`` (and the matching subtrees of
    ``rest``, which must have ``tree``'s structure as a prefix).

    >>> tree_map(lambda x, y: x + y, (1, {'a': 2}), (10, {'a': 20}))
    (11, {'a': 22})
    >>> tree_map(lambda x: x * 2, None) is None
    True
    """
    leaves = []
    root = _flatten(tree, leaves, is_leaf)
    if not rest:
        return _unflatten(root, iter([f(x) for x in leaves]))
    treedef = PyTreeDef(root, len(leaves))
    others = _flatten_rest(treedef, rest, "tree_map")
    return _unflatten(root, iter([f(*xs) for xs in zip(leaves, *others)]))


def tree_flatten_with_path(
    tree: Any, is_leaf: Callable[[Any], bool] | None = None
) -> tuple[list[tuple[KeyPath, Any]], PyTreeDef]:
    """Like ``tree_flatten``, with each leaf paired with its key path.

    >>> tree_flatten_with_path((1, {'a': 2}))[0]
    [((SequenceKey(idx=0),), 1), ((SequenceKey(idx=1), DictKey(key='a')), 2)]
    """
    out = []
    root = _flatten_with_path(tree, (), out, is_leaf)
    return out, PyTreeDef(root, len(out))


def tree_leaves_with_path(
    tree: Any, is_leaf: Callable[[Any], bool] | None = None
) -> list[tuple[KeyPath, Any]]:
    """The leaves of a pytree, each paired with its key path.

    >>> [(keystr(p), x) for p, x in tree_leaves_with_path([1, {'a': 2}])]
    [('[0]', 1), ("[1]['a']", 2)]
    """
    out = []
    _flatten_with_path(tree, (), out, is_leaf)
    return out


def tree_map_with_path(
    f: Callable[..., Any],
    tree: Any,
    *rest: Any,
    is_leaf: Callable[[Any], bool] | None = None,
) -> Any:
    """Like ``tree_map`` but ``f`` also receives the key path: ``f(path, x, *xs)``.

    >>> tree_map_with_path(lambda p, x: keystr(p), {'a': 1, 'b': [2]})
    {'a': "['a']", 'b': ["['b'][0]"]}
    """
    out = []
    root = _flatten_with_path(tree, (), out, is_leaf)
    treedef = PyTreeDef(root, len(out))
    if not rest:
        return _unflatten(root, iter([f(p, x) for p, x in out]))
    others = _flatten_rest(treedef, rest, "tree_map_with_path")
    return _unflatten(root, iter([f(px[0], px[1], *xs) for px, *xs in zip(out, *others)]))


class _NoInitializer:
    def __repr__(self) -> str:
        return "<no initializer>"


_NO_INITIALIZER = _NoInitializer()


def tree_reduce(
    function: Callable[[Any, Any], Any],
    tree: Any,
    initializer: Any = _NO_INITIALIZER,
    is_leaf: Callable[[Any], bool] | None = None,
) -> Any:
    """``functools.reduce`` over the leaves of a tree.

    >>> tree_reduce(lambda a, b: a + b, [1, (2, 3)])
    6
    >>> tree_reduce(lambda a, b: a + b, [], 0)
    0
    """
    leaves = tree_leaves(tree, is_leaf)
    if initializer is _NO_INITIALIZER:
        return functools.reduce(function, leaves)
    return functools.reduce(function, leaves, initializer)


def tree_all(tree: Any, *, is_leaf: Callable[[Any], bool] | None = None) -> bool:
    """Whether every leaf is truthy.

    >>> tree_all([True, (1, None)]), tree_all({'a': 0})
    (True, False)
    """
    return all(tree_leaves(tree, is_leaf))


def tree_transpose(
    outer_treedef: PyTreeDef, inner_treedef: PyTreeDef | None, pytree_to_transpose: Any
) -> Any:
    """Turn an outer tree of inner trees into an inner tree of outer trees.
    With ``inner_treedef=None`` it is taken from the first outer leaf.

    >>> tree_transpose(tree_structure([0, 0]), tree_structure((0, 0)),
    ...                [(1, 2), (3, 4)])
    ([1, 3], [2, 4])
    """
    if inner_treedef is None:
        first = outer_treedef.flatten_up_to(pytree_to_transpose)[0]
        inner_treedef = tree_structure(first)
    flat, treedef = tree_flatten(pytree_to_transpose)
    inner_size = inner_treedef.num_leaves
    outer_size = outer_treedef.num_leaves
    # Only the leaf count is checked, as in JAX: a custom node's static data may
    # legitimately differ between the composed and the actual structure.
    if treedef.num_leaves != inner_size * outer_size:
        expected = outer_treedef.compose(inner_treedef)
        raise TypeError(
            f"Mismatch\n{treedef}\n != \n{expected}\n(tree_transpose: the tree to "
            "transpose must be the outer structure with the inner structure at each leaf)"
        )
    rows = [flat[i * inner_size : (i + 1) * inner_size] for i in range(outer_size)]
    subtrees = (
        [outer_treedef.unflatten(col) for col in zip(*rows)]
        if rows
        else [outer_treedef.unflatten([]) for _ in range(inner_size)]
    )
    return inner_treedef.unflatten(subtrees)


def tree_broadcast(
    prefix_tree: Any, full_tree: Any, is_leaf: Callable[[Any], bool] | None = None
) -> Any:
    """Replicate each leaf of ``prefix_tree`` over the matching subtree of
    ``full_tree``.

    >>> tree_broadcast((1, 2), ((0, 0), [0, 0, 0]))
    ((1, 1), [2, 2, 2])
    """
    leaves, treedef = tree_flatten(prefix_tree, is_leaf)
    subtrees = _flatten_rest(treedef, (full_tree,), "tree_broadcast")[0]
    return treedef.unflatten([tree_map(lambda _, x=x: x, sub) for x, sub in zip(leaves, subtrees)])


def broadcast_prefix(
    prefix_tree: Any, full_tree: Any, is_leaf: Callable[[Any], bool] | None = None
) -> list[Any]:
    """The leaves of ``tree_broadcast(prefix_tree, full_tree)``: each prefix leaf
    repeated once per leaf of its subtree in ``full_tree`` (how ``vmap`` expands
    ``in_axes``).

    >>> broadcast_prefix((0, None), ([1, 2], 3), is_leaf=lambda x: x is None)
    [0, 0, None]
    """
    leaves, treedef = tree_flatten(prefix_tree, is_leaf)
    subtrees = _flatten_rest(treedef, (full_tree,), "broadcast_prefix")[0]
    out = []
    for x, sub in zip(leaves, subtrees):
        out.extend([x] * len(tree_leaves(sub)))
    return out


def treedef_children(treedef: PyTreeDef) -> list[PyTreeDef]:
    """``treedef.children()``.

    >>> treedef_children(tree_structure((1, [2])))
    [PyTreeDef(*), PyTreeDef([*])]
    """
    return treedef.children()


def treedef_is_leaf(treedef: PyTreeDef) -> bool:
    """Whether the treedef has a single node (a leaf, or ``None`` as in JAX).

    >>> treedef_is_leaf(tree_structure(1)), treedef_is_leaf(tree_structure((1,)))
    (True, False)
    """
    return treedef.num_nodes == 1


def treedef_is_strict_leaf(treedef: PyTreeDef) -> bool:
    """Whether the treedef is exactly one leaf (``None`` is not).

    >>> treedef_is_strict_leaf(tree_structure(None))
    False
    """
    return treedef._root is _LEAF


def treedef_tuple(treedefs: Iterable[PyTreeDef]) -> PyTreeDef:
    """The structure of a tuple whose children have the given structures.

    >>> treedef_tuple([tree_structure(1), tree_structure([1, 2])])
    PyTreeDef((*, [*, *]))
    """
    return PyTreeDef((_TUPLE_ENTRY, None, tuple(t._root for t in treedefs)))


def _is_leaf_value(x: Any) -> bool:
    t = type(x)
    return t not in _registry and not (isinstance(x, tuple) and hasattr(t, "_fields"))


def all_leaves(iterable: Iterable[Any], is_leaf: Callable[[Any], bool] | None = None) -> bool:
    """Whether every element of ``iterable`` is a leaf.

    >>> all_leaves([1, 'a']), all_leaves([1, (2,)]), all_leaves([None])
    (True, False, False)
    """
    if is_leaf is None:
        return all(_is_leaf_value(x) for x in iterable)
    lst = list(iterable)
    leaves = tree_leaves(lst, is_leaf)
    return len(leaves) == len(lst) and all(a is b for a, b in zip(leaves, lst))


def build_tree(treedef: PyTreeDef, xs: Any) -> Any:
    """Build a tree of structure ``treedef`` from nested iterables.

    >>> build_tree(tree_structure((0, [0, 0])), [1, [2, 3]])
    (1, [2, 3])
    """
    return treedef.from_iterable_tree(xs)


def flatten_one_level(tree: Any) -> tuple[list[Any], Hashable]:
    """The direct children and static data of a node; ``ValueError`` for a leaf.

    >>> flatten_one_level({'b': 1, 'a': (2,)})
    ([(2,), 1], ('a', 'b'))
    """
    t = type(tree)
    entry = _registry.get(t)
    if entry is None:
        if isinstance(tree, tuple) and hasattr(t, "_fields"):
            entry = _namedtuple_entry(t)
        else:
            raise ValueError(f"can't tree-flatten type: {t}")
    children, aux = _check_flatten_result(entry.flatten(tree), tree)
    return list(children), aux


# ---------------------------------------------------------------------------
# Partial
# ---------------------------------------------------------------------------


class _HashableCallableShim:
    """Wraps a ``functools.partial`` passed as ``Partial``'s func so that
    ``functools.partial`` does not merge it (its arguments would otherwise
    become pytree children), while still comparing equal to it."""

    def __init__(self, fun):
        self.fun = fun

    def __call__(self, *args, **kwargs):
        return self.fun(*args, **kwargs)

    def __hash__(self) -> int:
        return hash(self.fun)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _HashableCallableShim):
            return self.fun == other.fun
        return self.fun == other

    def __repr__(self) -> str:
        return repr(self.fun)


class Partial(functools.partial):
    """A ``functools.partial`` that is a pytree: the bound arguments and keywords
    are children, the function is static data. Functions may return it from
    ``jit`` or take it as an argument.

    >>> p = Partial(operator.add, 1)
    >>> tree_leaves(p), tree_map(lambda x: x * 10, p)(2)
    ([1], 12)
    """

    def __new__(klass, func, *args, **kw):
        if isinstance(func, functools.partial):
            original = func
            func = _HashableCallableShim(original)
            out = super().__new__(klass, func, *args, **kw)
            func.func = original.func
            func.args = original.args
            func.keywords = original.keywords
            return out
        return super().__new__(klass, func, *args, **kw)


register_pytree_node(
    Partial,
    lambda p: ((p.args, p.keywords), p.func),
    lambda func, xs: Partial(func, *xs[0], **xs[1]),
)
