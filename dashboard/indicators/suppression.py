"""Small-count suppression: primary cells under the threshold, then complementary cells.

A count from 1 to threshold - 1 is hidden (primary suppression). Where a hidden cell
could be recovered by subtraction, because it is the only hidden cell of an additive
relation (a total and its parts: a row's registered = covered + not covered, a column's
national total = the sum of its provinces), the smallest other cell of that relation is
hidden too (complementary suppression), repeated until every relation holds either no
hidden cell or at least two. A true zero stays visible unless chosen as a complement.
"""

from collections.abc import Collection, Iterable, Mapping

Cell = tuple[object, str]
Relation = tuple[Cell, list[Cell]]


def primary(values: Mapping[Cell, int], threshold: int) -> set[Cell]:
    """Cells whose count is from 1 to threshold - 1."""
    return {cell for cell, value in values.items() if 0 < value < threshold}


def _complement(
    values: Mapping[Cell, int], cells: list[Cell], hidden: set[Cell], fixed: Collection[Cell]
) -> Cell:
    """The visible cell that costs least to hide: smallest positive, then any.

    Cells in `fixed` (already published elsewhere) are chosen only if nothing else is left.
    """
    visible = [c for c in cells if c not in hidden]
    free = [c for c in visible if c not in fixed] or visible
    positive = [c for c in free if values[c] > 0]
    return min(positive or free, key=lambda c: (values[c], str(c)))


def suppress(
    values: Mapping[Cell, int],
    relations: Iterable[Relation],
    threshold: int,
    *,
    hidden: Collection[Cell] = (),
    fixed: Collection[Cell] = (),
) -> set[Cell]:
    """Return every cell to hide so that no hidden count is recoverable.

    Args:
        values: each cell's count.
        relations: (total cell, part cells) with total = sum(parts).
        threshold: the suppression threshold (counts below it and above 0 are hidden).
        hidden: cells hidden already (e.g. by the table a page shows beside this one).
        fixed: cells shown already elsewhere, so hiding them would protect nothing: they
            are chosen as complements only when a relation has no other visible cell.
    """
    relations = list(relations)
    hidden = primary(values, threshold) | set(hidden)
    fixed = set(fixed)
    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            cells = [total, *parts]
            if sum(c in hidden for c in cells) == 1 and len(cells) > 1:
                hidden.add(_complement(values, cells, hidden, fixed))
                changed = True
    return hidden
