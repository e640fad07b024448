"""Turn pydantic's validation errors into messages that name each bad field and what it allows.

The allowed range is read from the model's own field constraints, so it is written once, in ``models.py``.
"""

from __future__ import annotations

import types
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

import annotated_types as at
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from .errors import FieldProblem, InvalidDataError
from .types import field_path

M = TypeVar("M", bound=BaseModel)

_KIND = {int: "a whole number", float: "a number", str: "text", bool: "true or false"}


def _unwrap_optional(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _field_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> FieldInfo | None:
    """Follow a pydantic error location through nested models and lists to the field it names."""
    current: Any = model
    info: FieldInfo | None = None
    for part in loc:
        if isinstance(part, int):
            args = get_args(current)
            current = args[0] if get_origin(current) is list and args else current
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        info = current.model_fields.get(part)
        if info is None:
            return None
        current = _unwrap_optional(info.annotation)
    return info


def allowed(info: FieldInfo) -> str:
    """Say in words what a field accepts, from its type and constraints."""
    annotation = _unwrap_optional(info.annotation)
    if get_origin(annotation) is Literal:
        return "one of " + ", ".join(str(a) for a in get_args(annotation))
    kind = _KIND.get(annotation, "a value") if isinstance(annotation, type) else "a value"
    low = high = step = None
    for meta in info.metadata:
        if isinstance(meta, at.Ge):
            low = meta.ge
        elif isinstance(meta, at.Le):
            high = meta.le
        elif isinstance(meta, at.MultipleOf):
            step = meta.multiple_of
        elif isinstance(meta, at.MinLen) and meta.min_length > 0:
            kind = "non-empty text"
    words = kind
    if step is not None:
        words = f"a multiple of {step}"
    if low is not None and high is not None:
        words += f" from {low} to {high}"
    elif low is not None:
        words += f" of at least {low}"
    elif high is not None:
        words += f" of at most {high}"
    if info.description and annotation is not str:
        words += f" ({info.description})"
    return words


def problems_from(error: ValidationError, model: type[BaseModel]) -> list[FieldProblem]:
    """One ``FieldProblem`` per pydantic error, each naming the field, the value and what is allowed."""
    problems = []
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        info = _field_at(model, loc)
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "is not a field that can be set"
        elif item["type"] == "missing":
            message = "is required"
        elif item["type"] == "literal_error":
            message = f"{item.get('input')!r} is not allowed"
        else:
            message = f"{message} (got {item.get('input')!r})"
            if info is not None:
                message += f"; allowed: {allowed(info)}"
        problems.append(FieldProblem(field_path(loc), message, item.get("input")))
    return problems


def validate(model: type[M], data: Any, *, where: str = "") -> M:
    """Validate ``data`` as ``model``, raising ``InvalidDataError`` with readable problems."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidDataError(problems_from(exc, model), where=where) from exc
