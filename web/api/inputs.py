"""Reading a request safely: the JSON body, its shape against a model, the query string and If-Match.

JSON is parsed by hand before any model sees it, because pydantic does not refuse what no database can
store: ``NaN``/``Infinity`` (and numbers too large to be finite), NUL characters and lone surrogates are
400 here, naming the innermost key that holds them. A body's shape is then checked against its pydantic
model (:mod:`.schemas`); pydantic's own (English) messages never reach the client: each problem becomes
the API's 400 with ``field`` and a Danish detail.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, TypeVar

from flask import request
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from .errors import ApiError

M = TypeVar("M", bound=BaseModel)

_IF_MATCH = re.compile(r'^(?:W/)?"(\d{1,18})"$|^(\d{1,18})$')


# --- JSON hardening -------------------------------------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} er ikke gyldig JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("tallet er for stort")
    return value


def _encodable(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_text(s: str, where: str) -> None:
    """Raise ApiError 400 (field ``where``, or "body" if the name itself is bad) unless ``s`` is storable
    text: valid UTF-8 (no lone surrogate) and no NUL."""
    if "\x00" in s or not _encodable(s):
        field = where if "\x00" not in where and _encodable(where) else "body"
        raise ApiError(400, "teksten indeholder ugyldige tegn (NUL eller en enlig surrogat)", field=field)


def _check_strings(value: Any) -> None:
    """Every string (and key) must be storable text. Iterative: no recursion limit.

    A bad string is reported under the name of the innermost key that holds it (the field's name).
    """
    stack: list[tuple[str, Any]] = [("body", value)]
    while stack:
        field, v = stack.pop()
        if isinstance(v, dict):
            for k, item in v.items():
                check_text(k, field)
                stack.append((k, item))
        elif isinstance(v, list):
            stack.extend((field, item) for item in v)
        elif isinstance(v, str):
            check_text(v, field)


def json_body(*, required: bool) -> Any:
    """The request's JSON body (any JSON value); None if empty and not required.

    Raises ApiError 400 (field "body") for a missing required body, text that is not UTF-8 JSON, NaN,
    Infinity or an infinite number, nesting too deep to parse; and (naming the key) NUL or a lone surrogate.
    """
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise ApiError(400, "body mangler: forventet et JSON-objekt", field="body")
        return None
    try:
        text = raw.decode("utf-8")
        value = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise ApiError(400, "body er ikke gyldig JSON (UTF-8)", field="body") from None
    _check_strings(value)
    return value


# --- the body's shape -------------------------------------------------------------------------------------------


def _detail(error: dict[str, Any]) -> str:
    """A Danish sentence for one pydantic error (its field is named separately)."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "missing" or (kind == "string_type" and error.get("input") is None):
        return "skal udfyldes"
    if kind == "string_type":
        return "skal være tekst"
    if kind == "string_too_long":
        return f"højst {ctx.get('max_length')} tegn"
    if kind == "aktflow":  # raised by a model's own check with the engine's Danish detail
        return str(ctx.get("detail"))
    return "ugyldig værdi"


def parse_body(model: type[M], value: Any) -> M:
    """``value`` (a parsed JSON body) as ``model``; raises ApiError 400 naming the first bad field.

    Not an object: field "body". Unknown keys come first (the first by name, with the allowed names);
    then the first field, in the model's order, whose value has the wrong type, is too long, or is missing.
    """
    if not isinstance(value, dict):
        raise ApiError(400, "body skal være et JSON-objekt", field="body")
    allowed = set(model.model_fields)
    unknown = sorted(k for k in value if k not in allowed)
    if unknown:
        raise ApiError(
            400, f"ukendt felt {unknown[0]!r} (tilladt: {', '.join(sorted(allowed))})", field=unknown[0]
        )
    try:
        return model.model_validate(value)
    except PydanticValidationError as e:
        first = e.errors(include_url=False)[0]
        loc = first["loc"]
        field = str(loc[0]) if loc else "body"
        raise ApiError(400, _detail(dict(first)), field=field) from None


# --- query string and headers -------------------------------------------------------------------------------------


def query_args(allowed: set[str]) -> None:
    """Check the query string: storable text, and only the ``allowed`` parameter names (ApiError 400)."""
    for key, value in request.args.items(multi=True):
        check_text(key, "query")
        check_text(value, key)
        if key not in allowed:
            raise ApiError(
                400, f"ukendt parameter {key!r} (tilladt: {', '.join(sorted(allowed))})", field=key
            )


def if_match() -> int:
    """The case version the client saw, from ``If-Match`` (``"3"``, ``3`` or ``W/"3"``).

    Raises ApiError 428 when it is missing or ``*``, 400 when it is not a version.
    """
    header = request.headers.get("If-Match")
    if header is None or not header.strip():
        raise ApiError(
            428, 'If-Match mangler: send sagens version fra ETag (fx If-Match: "3")', field="If-Match"
        )
    header = header.strip()
    if header == "*":
        raise ApiError(428, 'If-Match skal være sagens version fra ETag (fx "3"), ikke *', field="If-Match")
    m = _IF_MATCH.match(header)
    if not m:
        raise ApiError(400, 'If-Match skal være sagens version, fx "3"', field="If-Match")
    return int(m.group(1) or m.group(2))
