"""Transport-level protection as plain ASGI middleware: body size limit, CORS for publishable-key
origins only, security headers (CSP without inline script on the demo page and widget), and HEAD
answered wherever GET is."""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CORS_METHODS = ("GET", "POST", "DELETE")
CORS_HEADERS = ("authorization", "content-type", "accept", "last-event-id")
EXPOSED_HEADERS = "Retry-After"
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def error_body(code: str, message: str) -> bytes:
    """The one JSON error shape, encoded."""
    return json.dumps({"error": {"code": code, "message": message}}).encode()


async def send_error(send: Send, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
    body = error_body(code, message)
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """413 for request bodies over `limit` bytes, whether announced by Content-Length or streamed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        message = f"The request body is larger than the limit of {self.limit} bytes."
        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await send_error(send, 413, "payload_too_large", message)
            return
        # read the (small) body up front so an oversized chunked upload never reaches a route
        chunks, size = [], 0
        while True:
            msg = await receive()
            if msg["type"] == "http.disconnect":
                return
            chunk = msg.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await send_error(send, 413, "payload_too_large", message)
                return
            chunks.append(chunk)
            if not msg.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class Cors:
    """CORS for /v1/ only, and only for origins some publishable key is bound to.

    `allowed(origin, server_port)` decides; a refused preflight gets 403 in the JSON error shape
    and no Access-Control-Allow-Origin, so the browser blocks the request.
    """

    def __init__(self, app: ASGIApp, allowed: Callable[[str, int | None], bool], max_age: int = 600) -> None:
        self.app = app
        self.allowed = allowed
        self.max_age = max_age

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        port = (scope.get("server") or (None, None))[1]
        if origin is None:
            await self.app(scope, receive, send)
            return
        ok = self.allowed(origin, port)
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(send, origin, ok, headers)
            return
        if not ok:
            await self.app(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                out["Access-Control-Allow-Origin"] = origin
                out["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
                out.add_vary_header("Origin")
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(self, send: Send, origin: str, ok: bool, headers: Headers) -> None:
        method = headers["access-control-request-method"].upper()
        wanted = [h.strip().lower() for h in headers.get("access-control-request-headers", "").split(",") if h.strip()]
        if not ok:
            await send_error(send, 403, "cors_refused", "This origin is not allowed to call the API.", {"Vary": "Origin"})
            return
        if method not in CORS_METHODS or any(h not in CORS_HEADERS for h in wanted):
            await send_error(send, 403, "cors_refused", "This method or header is not allowed across origins.", {"Vary": "Origin"})
            return
        raw = [
            (b"access-control-allow-origin", origin.encode()),
            (b"access-control-allow-methods", ", ".join(CORS_METHODS).encode()),
            (b"access-control-allow-headers", ", ".join(CORS_HEADERS).encode()),
            (b"access-control-max-age", str(self.max_age).encode()),
            (b"vary", b"Origin"),
            (b"content-length", b"0"),
        ]
        await send({"type": "http.response.start", "status": 204, "headers": raw})
        await send({"type": "http.response.body", "body": b""})


def content_security_policy(frame_ancestors: str) -> str:
    """CSP of the demo page and widget files: no inline script, nothing from other origins."""
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
        f"base-uri 'none'; form-action 'none'; frame-ancestors {frame_ancestors}"
    )


class SecurityHeaders:
    """nosniff and Referrer-Policy everywhere; the CSP on HTML and the widget files; no-store on the API."""

    def __init__(self, app: ASGIApp, frame_ancestors: str) -> None:
        self.app = app
        self.csp = content_security_policy(frame_ancestors)
        # the older header for browsers without frame-ancestors, when it can say the same thing
        self.frame_options = {"'self'": "SAMEORIGIN", "'none'": "DENY"}.get(frame_ancestors.strip())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = scope["path"].startswith("/v1/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                out.setdefault("X-Content-Type-Options", "nosniff")
                out.setdefault("Referrer-Policy", "no-referrer")
                out.setdefault("Cross-Origin-Opener-Policy", "same-origin")
                if api:
                    out.setdefault("Cache-Control", "no-store")
                else:
                    out.setdefault("Content-Security-Policy", self.csp)
                    if self.frame_options:
                        out.setdefault("X-Frame-Options", self.frame_options)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadAsGet:
    """HEAD is served by the GET route of the same path: the same status and headers, no body (RFC 9110 9.3.2)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)
