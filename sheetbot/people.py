"""Identifiers → persons: records that share an identifier concern the same person.

Union-find (path compression and union by size): records sharing any identifier are one
person, transitively; a record with no identifier is a person of its own. Knows nothing of
dates or outcomes (records of type "actor not identified" simply carry no identifiers).
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from itertools import compress


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))
        self.size = [1] * size

    def find(self, item: int) -> int:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:  # path compression
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: int, b: int) -> None:
        a, b = self.find(a), self.find(b)
        if a == b:
            return
        if self.size[a] < self.size[b]:  # union by size
            a, b = b, a
        self.parent[b] = a
        self.size[a] += self.size[b]


def person_indices(identifier_sets: Sequence[Iterable[str]]) -> list[int]:
    """For each position, the position of the first item of its person (the smallest index).

    ``[{"a"}, {"b"}, {"a", "c"}, set()]`` → ``[0, 1, 0, 3]``.
    """
    # Only the positions with an identifier are visited: the others (most records of a
    # settled sheet, SPEC 6) are a person of their own, their own first position.
    persons = list(range(len(identifier_sets)))
    named = list(compress(range(len(identifier_sets)), identifier_sets))
    sets = _UnionFind(len(identifier_sets))
    first_with: dict[str, int] = {}
    for index in named:
        for identifier in identifier_sets[index]:
            other = first_with.setdefault(identifier, index)
            if other != index:
                sets.union(other, index)
    smallest: dict[int, int] = {}
    for index in named:  # in order: the first of a person is its smallest position
        persons[index] = smallest.setdefault(sets.find(index), index)
    return persons


def first_rows(persons: Sequence[int], rows: Sequence[int]) -> list[int]:
    """Per position, the smallest sheet row (``rows``) of its person (``persons``, from
    ``person_indices``): a key for the person that does not depend on the records' order."""
    if all(map(operator.lt, rows, rows[1:])):  # in sheet order (as read): the first is smallest
        return list(map(rows.__getitem__, persons))
    smallest: dict[int, int] = {}
    for person, row in zip(persons, rows, strict=True):
        smallest[person] = min(smallest.get(person, row), row)
    return [smallest[person] for person in persons]
