"""One error hierarchy for guideqa.

GuideqaError                      base; knows its HTTP status and the message a user may see
 +-- ConfigError                  settings or rule files that cannot be used (500)
 +-- InputError                   bad input from the user: empty/huge question, malformed file (422)
 |    +-- PayloadTooLarge         request body or question over the limit (413)
 +-- IngestError                  a file that could not be ingested (422), names the file
 +-- IndexMissing                 no index yet: run `guideqa ingest` first (503)
 +-- StoreUnavailable             the vector store (e.g. a Chroma server) cannot be reached (503)
 +-- AuthError                    missing, wrong, revoked or cross-origin key (401)
 +-- NotFound                     an unknown session or document (404)
 +-- RateLimited                  too many requests for this key (429, Retry-After)
"""

from __future__ import annotations


class GuideqaError(Exception):
    """Base of every error guideqa raises on purpose."""

    status_code: int = 500
    code: str = "internal_error"

    def __init__(self, user_message: str, *, detail: str | None = None) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.detail = detail

    def to_dict(self) -> dict:
        """The one JSON error shape: {"error": {"code", "message"}}."""
        return {"error": {"code": self.code, "message": self.user_message}}


class ConfigError(GuideqaError):
    status_code = 500
    code = "config_error"


class InputError(GuideqaError):
    status_code = 422
    code = "invalid_input"


class PayloadTooLarge(InputError):
    status_code = 413
    code = "payload_too_large"


class IngestError(GuideqaError):
    status_code = 422
    code = "ingest_error"

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class IndexMissing(GuideqaError):
    status_code = 503
    code = "index_missing"


class StoreUnavailable(GuideqaError):
    status_code = 503
    code = "store_unavailable"


class AuthError(GuideqaError):
    status_code = 401
    code = "unauthorized"


class NotFound(GuideqaError):
    status_code = 404
    code = "not_found"


class RateLimited(GuideqaError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, user_message: str, *, retry_after: int) -> None:
        super().__init__(user_message)
        self.retry_after = retry_after
