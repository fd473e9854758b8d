"""RFC 6962 (Certificate Transparency) Merkle tree hashing, as plain functions.

    leaf hash  = SHA-256(0x00 || entry bytes)
    node hash  = SHA-256(0x01 || left || right)
    root of n  = node(root of the first k, root of the rest), k the largest
                 power of two below n; the empty tree's root is SHA-256("").

The ledger keeps only the "frontier" (the roots of the perfect subtrees that
make up the tree, largest first), so an append costs O(log n) and needs no
other entry. Inclusion proofs follow RFC 6962 section 2.1.1 and are verified
as RFC 9162 section 2.1.3.2 describes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _levels(size: int) -> list[int]:
    """Heights of the perfect subtrees of a tree of ``size`` leaves, largest first."""
    return [bit for bit in range(size.bit_length() - 1, -1, -1) if size >> bit & 1]


def append(frontier: Sequence[bytes], size: int, leaf: bytes) -> list[bytes]:
    """The frontier after adding one leaf to a tree of ``size`` leaves."""
    stack = list(frontier)
    node, carried = leaf, size
    # Merge with equal-height subtrees, as a binary counter carries.
    while carried & 1:
        node = node_hash(stack.pop(), node)
        carried >>= 1
    stack.append(node)
    return stack


def root(frontier: Sequence[bytes]) -> bytes:
    if not frontier:
        return EMPTY_ROOT
    result = frontier[-1]
    for subtree in reversed(frontier[:-1]):
        result = node_hash(subtree, result)
    return result


def root_of(leaves: Sequence[bytes]) -> bytes:
    """The root over leaf hashes, recursively as RFC 6962 defines it (for tests)."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << (len(leaves) - 1).bit_length() - 1
    return node_hash(root_of(leaves[:k]), root_of(leaves[k:]))


def inclusion_path(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """RFC 6962 PATH(m, D[n]) over the tree's leaf hashes."""
    if not 0 <= index < len(leaves):
        raise IndexError("leaf index outside the tree")
    if len(leaves) == 1:
        return []
    k = 1 << (len(leaves) - 1).bit_length() - 1
    if index < k:
        return inclusion_path(index, leaves[:k]) + [root_of(leaves[k:])]
    return inclusion_path(index - k, leaves[k:]) + [root_of(leaves[:k])]


def verify_inclusion(
    index: int, size: int, leaf: bytes, path: Sequence[bytes], expected_root: bytes
) -> bool:
    """RFC 9162 2.1.3.2: does ``path`` prove ``leaf`` at ``index`` in the tree of ``root``?"""
    if index >= size:
        return False
    fn, sn, result = index, size - 1, leaf
    for sibling in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            result = node_hash(result, sibling)
        fn >>= 1
        sn >>= 1
    return sn == 0 and result == expected_root


__all__ = [
    "EMPTY_ROOT",
    "append",
    "inclusion_path",
    "leaf_hash",
    "node_hash",
    "root",
    "root_of",
    "verify_inclusion",
]
