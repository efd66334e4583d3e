"""Rows that make one record together: a special-requirements list is one record per
customer, each row of the log one of its requirements (and perhaps a source document)."""

from __future__ import annotations

from .rows import Planned


def group(items: list[Planned]) -> list[Planned]:
    """The first row of each customer heads its list; the later rows add their list items
    (a requirement, a source document not listed yet) to the head's lists. Each list item
    remembers the row it came from, so that a finding in it points at that row."""
    heads: dict[str, Planned] = {}
    for item in items:
        customer = item.data.get("customer")
        key = customer if isinstance(customer, str) and customer else f"row {item.row}"
        head = heads.get(key)
        if head is None:
            heads[key] = item
            item.members = [item]
            item.origins = {f"/{name}/{i}": item for name, value in item.data.items()
                            if isinstance(value, list) for i in range(len(value))}
            continue
        head.members.append(item)
        for name, value in item.data.items():
            if not isinstance(value, list):
                continue
            target = head.data.setdefault(name, [])
            for element in value:
                if element not in target:  # the same source document on the next row
                    head.origins[f"/{name}/{len(target)}"] = item
                    target.append(element)
    return list(heads.values())


def origin(head: Planned, field: str) -> tuple[Planned, str]:
    """The row a finding at ``field`` of the head's record belongs to, and the field as
    that row filled it (its one requirement is ``/items/0``)."""
    for prefix in sorted(head.origins, key=len, reverse=True):
        if field == prefix or field.startswith(prefix + "/"):
            return head.origins[prefix], prefix.rsplit("/", 1)[0] + "/0" + field[len(prefix):]
    return head, field
