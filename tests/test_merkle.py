"""The ledger's Merkle tree against RFC 6962's definition."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sharehub.audit import merkle


@given(st.lists(st.binary(max_size=40), max_size=70))
def test_the_frontier_gives_the_rfc6962_root_at_every_size(entries):
    leaves = [merkle.leaf_hash(e) for e in entries]
    frontier: list[bytes] = []
    for size, leaf in enumerate(leaves):
        assert merkle.root(frontier) == merkle.root_of(leaves[:size])
        frontier = merkle.append(frontier, size, leaf)
    assert merkle.root(frontier) == merkle.root_of(leaves)
    assert len(frontier) == bin(len(leaves)).count("1")


@given(st.integers(1, 70), st.data())
def test_inclusion_proofs_verify_and_reject_a_changed_leaf(size, data):
    leaves = [merkle.leaf_hash(str(i).encode()) for i in range(size)]
    index = data.draw(st.integers(0, size - 1))
    tree_root = merkle.root_of(leaves)
    path = merkle.inclusion_path(index, leaves)
    assert merkle.verify_inclusion(index, size, leaves[index], path, tree_root)
    assert not merkle.verify_inclusion(index, size, merkle.leaf_hash(b"forged"), path, tree_root)
    if size > 1:
        other = (index + 1) % size
        assert not merkle.verify_inclusion(other, size, leaves[index], path, tree_root)


def test_known_roots():
    # The empty tree, and a single leaf, as RFC 6962 defines them.
    assert merkle.root([]).hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert merkle.root_of([merkle.leaf_hash(b"")]).hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )
