"""uvicorn's HTTP/1.1 protocol with requests it cannot parse answered in the API's JSON error shape.

Malformed HTTP (a Content-Length that is not a number, Content-Length together with Transfer-Encoding, a request
line or header block too long to parse, bytes that are not HTTP) never reaches the ASGI app: uvicorn's parser
refuses it and answers a plain-text 400 itself. These subclasses keep uvicorn's behaviour (400, connection closed)
and only change the body to `{"error": {"code": "bad_request", "message"}}`. `guideqa serve` uses them
(`http_protocol()`); other ASGI servers answer such requests in their own way.
"""

from __future__ import annotations

import json

MESSAGE = "The request is not valid HTTP/1.1 (malformed request line, headers, Content-Length or Transfer-Encoding)."


def error_400() -> bytes:
    """The raw HTTP/1.1 400 response, JSON body included."""
    body = json.dumps({"error": {"code": "bad_request", "message": MESSAGE}}).encode()
    head = (b"HTTP/1.1 400 Bad Request\r\n"
            b"content-type: application/json\r\n"
            b"content-length: " + str(len(body)).encode() + b"\r\n"
            b"x-content-type-options: nosniff\r\n"
            b"cache-control: no-store\r\n"
            b"connection: close\r\n\r\n")
    return head + body


class _JsonBadRequest:
    """Mixin: uvicorn calls `send_400_response` for whatever its parser refuses."""

    transport: object
    server_state: object

    def send_400_response(self, msg: str) -> None:  # noqa: ARG002  (uvicorn's plain-text message is replaced)
        content = [b"".join([name, b": ", value, b"\r\n"]) for name, value in self.server_state.default_headers]
        raw = error_400()
        status, rest = raw.split(b"\r\n", 1)
        self.transport.write(status + b"\r\n" + b"".join(content) + rest)
        self.transport.close()


def http_protocol() -> type:
    """The protocol class for `uvicorn.Config(http=...)`: httptools when installed (uvicorn's own choice), else h11."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # httptools is not installed
        from uvicorn.protocols.http.h11_impl import H11Protocol

        return type("JsonErrorsH11Protocol", (_JsonBadRequest, H11Protocol), {})
    return type("JsonErrorsHttpToolsProtocol", (_JsonBadRequest, HttpToolsProtocol), {})
