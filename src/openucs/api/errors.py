"""The ONE error -> HTTP map: every failure leaves as the GWS envelope
`{"statusCode": N, "statusMessage": "..."}` with no other attribute (spec 1.6).

| error                              | HTTP | statusCode |
|------------------------------------|------|------------|
| MissingParameter                   | 400  | 1          |
| InvalidInput, bad body/param types | 400  | 2          |
| OutOfRange                         | 400  | 10         |
| Unauthenticated                    | 401  | 20         |
| PermissionDenied                   | 403  | 5          |
| NotFound, unknown path             | 404  | 6          |
| wrong method                       | 405  | 2          |
| Conflict                           | 409  | 18         |
| Gone (header OpenUCS-Oldest-Seq)   | 410  | 6          |
| PayloadTooLarge, body too large    | 413  | 10 (input validation: a value out of range) |
| StoreUnavailable                   | 503  | 4          |
| anything else                      | 500  | 4, with a request id; logged with the traceback |
"""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotFoundException,
    SerializationException,
    ValidationException,
)
from litestar.types import ExceptionHandlersMap

from openucs.errors import (
    Conflict,
    Gone,
    InvalidInput,
    MissingParameter,
    NotFound,
    OpenUcsError,
    OutOfRange,
    PayloadTooLarge,
    PermissionDenied,
    StoreUnavailable,
    Unauthenticated,
)
from openucs.incidents import log_unexpected

log = logging.getLogger("openucs.api")

AUTH_CHALLENGE = 'Basic realm="OpenUCS"'

# (error class, HTTP status, GWS statusCode); the most specific class first.
_DOMAIN: tuple[tuple[type[OpenUcsError], int, int], ...] = (
    (MissingParameter, 400, 1),
    (OutOfRange, 400, 10),
    (InvalidInput, 400, 2),
    (Unauthenticated, 401, 20),
    (PermissionDenied, 403, 5),
    (NotFound, 404, 6),
    (Conflict, 409, 18),
    (Gone, 410, 6),
    (PayloadTooLarge, 413, 10),
    (StoreUnavailable, 503, 4),
)

# GWS statusCode for Litestar's own HTTP errors, by HTTP status.
_HTTP_CODES = {400: 2, 401: 20, 403: 5, 404: 6, 405: 2, 409: 18, 413: 10, 415: 2}


class ErrorAnswer(msgspec.Struct):
    statusCode: int
    statusMessage: str


def error_response(
    status: int, code: int, message: str, headers: dict[str, str] | None = None
) -> Response[ErrorAnswer]:
    return Response(ErrorAnswer(code, message), status_code=status, headers=headers)


def _domain_error(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorAnswer]:
    for kind, status, code in _DOMAIN:
        if isinstance(exc, kind):
            headers = {"WWW-Authenticate": AUTH_CHALLENGE} if status == 401 else None
            if isinstance(exc, Gone):
                headers = {"OpenUCS-Oldest-Seq": str(exc.oldest)}
            return error_response(status, code, exc.message, headers)
    return _internal_error(request, exc)


def _http_error(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorAnswer]:
    assert isinstance(exc, HTTPException)  # noqa: S101 - registered for HTTPException only
    status = exc.status_code
    if status >= 500:
        return _internal_error(request, exc)
    headers = {k: v for k, v in (exc.headers or {}).items() if k.lower() == "allow"}
    return error_response(status, _HTTP_CODES.get(status, 2), _describe(request, exc), headers)


def _describe(request: Request[Any, Any, Any], exc: HTTPException) -> str:
    """A message naming the path, method, field or limit at fault."""
    if isinstance(exc, NotFoundException):
        return f"no resource at {request.url.path}"
    if isinstance(exc, MethodNotAllowedException):
        return f"method {request.method} is not allowed on {request.url.path}"
    if exc.status_code == 413:
        limit = request.route_handler.resolve_request_max_body_size()
        return f"body: request body is larger than the limit of {limit} bytes"
    if isinstance(exc, ValidationException) and isinstance(exc.extra, list) and exc.extra:
        return "; ".join(_validation_message(request, item) for item in exc.extra)
    if isinstance(exc.__cause__, SerializationException):
        return f"body: malformed JSON ({exc.detail})"
    return exc.detail


def _validation_message(request: Request[Any, Any, Any], item: object) -> str:
    """Litestar says {"key": "max_size", "message": "Expected `int`...", "source": "query"}
    with the Python name of a parameter: name it as the client spelled it (`maxSize`)."""
    if not isinstance(item, dict):
        return str(item)
    key = str(item.get("key") or "")
    if key == "data" and item.get("message") == "'data'":
        return "body: is empty (a JSON object is expected)"  # the handler got no `data` at all
    if key == "data" or key.startswith("data."):
        key = key[5:] or "body"
    else:
        field = request.route_handler.parsed_fn_signature.parameters.get(key)
        alias = getattr(field and field.kwarg_definition, "name", None)
        key = alias or key
    message = str(item.get("message", "invalid value"))
    return f"{key}: {message}" if key else message


def _internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorAnswer]:
    request_id = log_unexpected(log, request.method, request.url.path, exc)
    return error_response(500, 4, f"internal error (request id {request_id})")


def exception_handlers() -> ExceptionHandlersMap:
    return {
        OpenUcsError: _domain_error,
        HTTPException: _http_error,
        Exception: _internal_error,
    }
