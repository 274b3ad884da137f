"""``tinyjax.tree_util``: the pytree utilities of ``jax.tree_util``.

The implementation lives in ``tinyjax.core.pytree``; this module is its public
table of contents.
"""

from .core.pytree import DictKey as DictKey
from .core.pytree import FlattenedIndexKey as FlattenedIndexKey
from .core.pytree import GetAttrKey as GetAttrKey
from .core.pytree import KeyEntry as KeyEntry
from .core.pytree import KeyPath as KeyPath
from .core.pytree import Partial as Partial
from .core.pytree import PyTreeDef as PyTreeDef
from .core.pytree import SequenceKey as SequenceKey
from .core.pytree import all_leaves as all_leaves
from .core.pytree import build_tree as build_tree
from .core.pytree import keystr as keystr
from .core.pytree import register_dataclass as register_dataclass
from .core.pytree import register_pytree_node as register_pytree_node
from .core.pytree import register_pytree_node_class as register_pytree_node_class
from .core.pytree import register_pytree_with_keys as register_pytree_with_keys
from .core.pytree import register_pytree_with_keys_class as register_pytree_with_keys_class
from .core.pytree import register_static as register_static
from .core.pytree import tree_all as tree_all
from .core.pytree import tree_broadcast as tree_broadcast
from .core.pytree import tree_flatten as tree_flatten
from .core.pytree import tree_flatten_with_path as tree_flatten_with_path
from .core.pytree import tree_leaves as tree_leaves
from .core.pytree import tree_leaves_with_path as tree_leaves_with_path
from .core.pytree import tree_map as tree_map
from .core.pytree import tree_map_with_path as tree_map_with_path
from .core.pytree import tree_reduce as tree_reduce
from .core.pytree import tree_structure as tree_structure
from .core.pytree import tree_transpose as tree_transpose
from .core.pytree import tree_unflatten as tree_unflatten
from .core.pytree import treedef_children as treedef_children
from .core.pytree import treedef_is_leaf as treedef_is_leaf
from .core.pytree import treedef_is_strict_leaf as treedef_is_strict_leaf
from .core.pytree import treedef_tuple as treedef_tuple
