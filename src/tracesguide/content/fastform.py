"""The parsed content as ``marshal`` data: what ``content.build`` writes, ``content.load`` reads.

``marshal`` holds tuples, dicts and strings but not the model's ``NamedTuple`` classes, so
an object of the model is written as a list ``[class number, field, field…]``, the class
numbers indexing the list of ``(class name, field names)`` written beside it; an object met
a second time (a step in ``Content.by_id``) as ``[-1 - its number]``, numbered in the
order objects are first met. Nothing here knows the schema: ``encode`` takes whatever
``schema.parse`` gave, ``decode`` gives it back, equal, shared objects shared.

``decode`` refuses (``ValueError``) a form whose classes are not the model's (a field
added, renamed, or a class gone): the caller then parses the TOML.
"""

from __future__ import annotations

from typing import Any

from tracesguide.content import model

ClassTable = list[tuple[str, tuple[str, ...]]]


def encode(value: Any) -> tuple[ClassTable, Any]:
    """*value* (a ``Content``) as marshal data, and the classes it names."""
    classes: dict[type, int] = {}
    seen: dict[int, int] = {}
    keep: list[Any] = []  # the objects numbered, alive until the end: ids stay theirs

    def walk(item: Any) -> Any:
        kind = type(item)
        if isinstance(item, tuple) and hasattr(kind, "_fields"):
            if id(item) in seen:
                return [-1 - seen[id(item)]]
            seen[id(item)] = len(keep)
            keep.append(item)
            number = classes.setdefault(kind, len(classes))
            return [number, *map(walk, item)]
        if kind is tuple:
            return tuple(map(walk, item))
        if kind is dict:
            return {key: walk(element) for key, element in item.items()}
        if kind in (str, int, bool, float, type(None)):
            return item
        raise TypeError(f"the fast form cannot hold a {kind.__name__}")

    data = walk(value)
    table = [(kind.__name__, tuple(kind._fields)) for kind in classes]  # type: ignore[attr-defined]
    return table, data


def decode(table: ClassTable, data: Any) -> Any:
    """What ``encode`` was given, from *table* and *data*."""
    kinds = []
    for name, fields in table:
        kind = getattr(model, name, None)
        if kind is None or getattr(kind, "_fields", None) != tuple(fields):
            raise ValueError(f"the fast form's {name} is not the model's")
        kinds.append((kind, 1 + len(fields)))
    made: list[Any] = []
    plain = (str, int, bool, float, type(None))
    new = tuple.__new__  # what ``_make`` does, without its Python frame

    def walk(item: Any) -> Any:
        kind = type(item)
        if kind is list:
            number = item[0]
            if number < 0:
                return made[-1 - number]
            slot = len(made)
            made.append(None)
            kind, size = kinds[number]
            if len(item) != size:
                raise ValueError("the fast form is damaged")
            built = new(kind, [e if type(e) in plain else walk(e) for e in item[1:]])
            made[slot] = built
            return built
        if kind is tuple:
            return tuple([e if type(e) in plain else walk(e) for e in item])
        if kind is dict:
            return {key: walk(element) for key, element in item.items()}
        return item

    return walk(data)
