"""Exception handlers: every error leaves the API in the one JSON shape {"error": {"code", "message"}}."""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.errors import AuthError, GuideqaError, RateLimited
from assistant.server.deps import check_key_first

log = logging.getLogger(__name__)
CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         406: "not_acceptable", 413: "payload_too_large", 415: "unsupported_media_type", 422: "invalid_input",
         429: "rate_limited", 503: "unavailable"}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


async def guideqa_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, GuideqaError)
    headers = {}
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, AuthError):
        headers["WWW-Authenticate"] = "Bearer"
    if exc.status_code >= 500:
        log.warning("%s %s: %s (%s)", request.method, request.url.path, exc.code, exc.user_message)
    return error_response(exc.status_code, exc.code, exc.public_message, headers)


def describe_validation(exc: RequestValidationError) -> str:
    """A short readable message from pydantic's errors (never echoing the input back)."""
    parts = []
    for err in exc.errors()[:3]:
        if err.get("type") == "json_invalid":
            return "The request body is not valid JSON."
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header")]
        where = ".".join(loc) or "body"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "Invalid request: " + "; ".join(parts) + "."


async def refused_key(request: Request) -> JSONResponse | None:
    """The 401/429 a body error must not pre-empt: FastAPI parses the body before the route's key is checked."""
    try:
        await check_key_first(request)
    except GuideqaError as exc:
        return await guideqa_error(request, exc)
    return None


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    if any(err.get("type") == "json_invalid" for err in exc.errors()) and (refused := await refused_key(request)):
        return refused
    return error_response(422, "invalid_input", describe_validation(exc))


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    if status == 400 and exc.detail == "There was an error parsing the body":
        # FastAPI's wording for a body that is not even text (e.g. invalid UTF-8): the same class of error as bad JSON
        if refused := await refused_key(request):
            return refused
        return error_response(422, "invalid_input", "The request body is not valid JSON (UTF-8).")
    if status == 404 and exc.detail == "Not Found":
        message = f"Nothing at {request.method} {request.url.path}."
    elif status == 405:
        message = f"{request.method} is not allowed on {request.url.path}."
    elif isinstance(exc.detail, str):
        message = exc.detail
    else:
        message = HTTPStatus(status).phrase
    code = CODES.get(status, "error" if status < 500 else "internal_error")
    return error_response(status, code, message, dict(exc.headers or {}))


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", "An internal error occurred.")


def install(app: FastAPI) -> None:
    """Register the handlers on an app."""
    app.add_exception_handler(GuideqaError, guideqa_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)
