"""API keys and per-key rate limits.

Two kinds of key:
- server keys (`sk_...`): secret, sent as `Authorization: Bearer sk_...`; only their sha256 is
  ever stored (in `settings.server.keys` or the YAML file `settings.server.keys_file`);
- publishable widget keys (`pk_...`): public, bound to the origins that may use them; a request
  is accepted only when its Origin header is one of them.
A revoked key is refused. A server key is refused when the request carries an Origin (or Sec-Fetch-Site) header:
only browsers send those, and a secret key must never be used from a page. The keys file is checked for changes
every `settings.server.keys_reload_interval_s` seconds (and on SIGHUP) and reloaded, so revoking a key needs no
restart. Repeated failed authentications from one client address are throttled (`AuthThrottle`). Keys file shape:

    keys:
      - {id: backend, kind: server, sha256: "<hex of sha256('sk_...')>"}
      - {id: clinic-site, kind: publishable, key: pk_..., origins: ["https://clinic.example"]}
      - {id: old, kind: server, sha256: "...", revoked: true}
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from assistant.errors import AuthError, AuthThrottled, ConfigError, RateLimited
from assistant.settings import Settings

log = logging.getLogger(__name__)
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def hash_key(token: str) -> str:
    """Hex sha256 of a key: the only form in which server keys are stored."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_key(kind: Literal["server", "publishable"]) -> str:
    """A fresh random key with its kind's prefix."""
    return ("sk_" if kind == "server" else "pk_") + secrets.token_urlsafe(32 if kind == "server" else 24)


def normalise_origin(origin: str) -> str:
    """scheme://host[:port], lower case, no trailing slash (what browsers send)."""
    return origin.strip().rstrip("/").lower()


class KeySpec(BaseModel):
    """One configured key."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=64, description="Name of the key in logs and the audit log.")
    kind: Literal["server", "publishable"]
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    key: str | None = Field(default=None, description="Publishable keys only: the key in clear (it is public).")
    origins: list[str] = Field(default_factory=list)
    revoked: bool = False
    rate_limit_per_minute: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _check(self) -> "KeySpec":
        if self.kind == "server" and self.key is not None:
            raise ValueError(f"server key '{self.id}' must be given as sha256, never in clear")
        if self.sha256 is None and self.key is None:
            raise ValueError(f"key '{self.id}' needs sha256 (or key, for a publishable key)")
        if self.key is not None and not self.key.startswith("pk_"):
            raise ValueError(f"publishable key '{self.id}' must start with pk_")
        if self.kind == "publishable" and not self.origins:
            raise ValueError(f"publishable key '{self.id}' needs at least one origin")
        self.origins = [normalise_origin(o) for o in self.origins]
        return self

    @property
    def digest(self) -> str:
        return self.sha256 or hash_key(self.key or "")


@dataclass(frozen=True)
class ApiKey:
    """An authenticated caller."""

    id: str
    kind: str


def parse_keys(raw: list) -> list[KeySpec]:
    """Validated key specs, or ConfigError (a bad entry, two keys with one id)."""
    try:
        specs = [KeySpec.model_validate(item) for item in raw]
    except ValidationError as exc:
        raise ConfigError(f"Invalid API key configuration: {exc.errors()[0]['msg']}") from exc
    ids = [s.id for s in specs]
    if len(set(ids)) != len(ids):
        raise ConfigError("Two API keys share one id.")
    return specs


def file_stamp(path: Path) -> tuple[int, int, int] | None:
    """What changes when a file is edited or replaced: (mtime_ns, size, inode); None when it is missing."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size, info.st_ino


class Keyring:
    """Configured keys by hash; `loopback_demo` marks the auto-provisioned demo key.

    With a keys file, `refresh()` (called on every authentication, at most every `reload_interval` seconds, or at
    once after `request_reload()`, e.g. on SIGHUP) reloads it when it changed. A file that no longer parses keeps
    the keys loaded before, and the error is logged.
    """

    def __init__(self, specs: list[KeySpec], demo_port: int | None = None, *, keys_file: Path | None = None,
                 inline: list[dict] | None = None, reload_interval: float = 2.0) -> None:
        self.by_hash = {spec.digest: spec for spec in specs}
        self.demo_port = demo_port
        self.demo_key: str | None = None
        self.keys_file = keys_file
        self.inline = list(inline or [])
        self.reload_interval = reload_interval
        self._stamp = file_stamp(keys_file) if keys_file else None
        self._checked = time.monotonic()
        self._reload_requested = False
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> "Keyring":
        """Keys from settings and the keys file; a demo publishable key when none are configured."""
        raw = list(settings.server.keys)
        path = settings.server.keys_file
        file_entries = load_keys_file(Path(path)) if path is not None else []
        specs = parse_keys(raw + file_entries)
        watch = {"keys_file": Path(path) if path is not None else None, "inline": raw,
                 "reload_interval": settings.server.keys_reload_interval_s}
        if specs:
            ring = cls(specs, **watch)
            ring.demo_key = next((s.key for s in specs if s.key and not s.revoked), None)
            return ring
        port = settings.server.port
        token = new_key("publishable")
        origins = [f"http://{host}:{port}" for host in LOOPBACK_HOSTS]
        ring = cls([KeySpec(id="demo", kind="publishable", key=token, origins=origins)], demo_port=port, **watch)
        ring.demo_key = token
        log.warning("No API keys configured: provisioned a demo publishable key, valid only from this server's own demo page "
                    "at http://127.0.0.1:%d/ or http://localhost:%d/ (or the port it is really served on). "
                    "Configure keys (settings.server.keys or keys_file) before exposing this server.", port, port)
        return ring

    def request_reload(self) -> None:
        """Check the keys file at the next authentication, whatever the interval (what SIGHUP does)."""
        self._reload_requested = True

    def refresh(self) -> bool:
        """Reload the keys file if it changed (checked at most every `reload_interval` s); True when keys were reloaded."""
        if self.keys_file is None:
            return False
        if not self._reload_requested and time.monotonic() - self._checked < self.reload_interval:
            return False
        with self._lock:
            forced, self._reload_requested = self._reload_requested, False
            if not forced and time.monotonic() - self._checked < self.reload_interval:
                return False  # another thread just checked
            self._checked = time.monotonic()
            stamp = file_stamp(self.keys_file)
            if stamp == self._stamp and not forced:
                return False
            self._stamp = stamp
            try:
                specs = parse_keys(self.inline + load_keys_file(self.keys_file))
            except ConfigError as exc:
                log.error("keys file not reloaded, the keys loaded before stay in force: %s", exc.user_message)
                return False
            if not specs and self.demo_port is not None:
                return False  # still no keys: the demo key stays
            self.by_hash = {spec.digest: spec for spec in specs}
            self.demo_port = None
            self.demo_key = next((s.key for s in specs if s.key and not s.revoked), None)
        log.warning("reloaded the API keys from %s: %d keys, %d revoked", self.keys_file, len(specs),
                    sum(s.revoked for s in specs))
        return True

    def origins(self) -> set[str]:
        """Every origin bound to an active publishable key (the CORS allow-list)."""
        return {o for spec in self.by_hash.values() if spec.kind == "publishable" and not spec.revoked for o in spec.origins}

    def origin_allowed(self, spec: KeySpec, origin: str | None, server_port: int | None = None) -> bool:
        if not origin:
            return False
        origin = normalise_origin(origin)
        if origin in spec.origins:
            return True
        if self.demo_port is not None and spec.id == "demo" and server_port is not None:
            # the demo key also follows the port uvicorn really listens on (`serve --port` may differ from settings)
            parts = urlsplit(origin)
            return parts.scheme == "http" and parts.port == server_port and parts.hostname in ("127.0.0.1", "localhost", "::1")
        return False

    def cors_allowed(self, origin: str, server_port: int | None = None) -> bool:
        """True when some active publishable key accepts this origin."""
        self.refresh()
        return any(spec.kind == "publishable" and not spec.revoked and self.origin_allowed(spec, origin, server_port)
                   for spec in self.by_hash.values())

    def authenticate(self, token: str | None, origin: str | None, server_port: int | None = None, *,
                     browser: bool | None = None) -> tuple[ApiKey, KeySpec]:
        """The key behind a bearer token, or AuthError (missing, unknown, revoked, wrong origin, secret key from a browser).

        `browser` says the request came from a web page (an Origin or Sec-Fetch-Site header); it defaults to
        whether an origin was given.
        """
        self.refresh()
        if not token:
            raise AuthError("An API key is required: send 'Authorization: Bearer <key>'.")
        spec = self.by_hash.get(hash_key(token))
        if spec is None:
            raise AuthError("The API key is not valid.")
        if spec.revoked:
            raise AuthError("The API key has been revoked.")
        if spec.kind == "server" and (bool(origin) if browser is None else browser):
            raise AuthError("A server key (sk_) is secret and is refused from a browser (the request has an Origin): "
                            "web pages must use a publishable key (pk_) bound to their origin.")
        if spec.kind == "publishable" and not self.origin_allowed(spec, origin, server_port):
            raise AuthError("This publishable key is not valid for this origin.")
        return ApiKey(id=spec.id, kind=spec.kind), spec


def load_keys_file(path: Path) -> list[dict]:
    """Entries of a keys YAML file ({keys: [...]} or a bare list)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"Cannot read the keys file {path}: {type(exc).__name__}") from exc
    entries = data.get("keys", []) if isinstance(data, dict) else data
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ConfigError(f"The keys file {path} must hold a list of keys under 'keys:'.")
    return entries


class RateLimiter:
    """A token bucket per key, in memory: `rate` requests per minute, bursts up to `rate`."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key_id: str, per_minute: int | None = None) -> None:
        """Spend one token, or raise RateLimited with the seconds until one is back."""
        capacity = float(per_minute or self.per_minute)
        rate = capacity / 60.0
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key_id, (capacity, now))
            tokens = min(capacity, tokens + (now - last) * rate)
            if tokens < 1.0:
                self._buckets[key_id] = (tokens, now)
                wait = max(1, math.ceil((1.0 - tokens) / rate))
                raise RateLimited(f"Too many requests for this key; retry in {wait} s.", retry_after=wait)
            self._buckets[key_id] = (tokens - 1.0, now)


class AuthThrottle:
    """Back-off on repeated failed authentication: after `limit` failures from one client address within `window`
    seconds, every request of that address that needs a key gets 429 (AuthThrottled, with Retry-After) until the
    oldest failure leaves the window. `limit` 0 turns it off. Addresses are kept in memory, at most `max_clients`."""

    def __init__(self, limit: int, window: float, max_clients: int = 10_000) -> None:
        self.limit = limit
        self.window = window
        self.max_clients = max_clients
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float] | None:
        failures = self._failures.get(client)
        if failures is not None:
            while failures and failures[0] <= now - self.window:
                failures.popleft()
            if not failures:
                del self._failures[client]
                return None
        return failures

    def check(self, client: str) -> None:
        """Raise AuthThrottled while this client has used up its failures."""
        if self.limit <= 0:
            return
        now = time.monotonic()
        with self._lock:
            failures = self._recent(client, now)
            if failures is None or len(failures) < self.limit:
                return
            wait = max(1, math.ceil(failures[0] + self.window - now))
        raise AuthThrottled(f"Too many failed authentication attempts from this address; retry in {wait} s.", retry_after=wait)

    def failed(self, client: str) -> None:
        """Count one failed authentication of this client."""
        if self.limit <= 0:
            return
        now = time.monotonic()
        with self._lock:
            failures = self._recent(client, now)
            if failures is None:
                failures = self._failures[client] = deque(maxlen=self.limit)
                while len(self._failures) > self.max_clients:
                    self._failures.popitem(last=False)
            else:
                self._failures.move_to_end(client)
            failures.append(now)
