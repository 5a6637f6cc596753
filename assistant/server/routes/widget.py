"""The widget files and the demo page (no key needed: the page carries a publishable key)."""

from __future__ import annotations

import html
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from assistant.errors import NotFound
from assistant.server.deps import StateDep

WIDGET_DIR = Path(__file__).resolve().parent.parent.parent / "widget"
KEY_PLACEHOLDER = "__GUIDEQA_DEMO_KEY__"
router = APIRouter(include_in_schema=False)


@lru_cache(maxsize=8)
def _read(name: str, mtime_ns: int) -> bytes:
    return (WIDGET_DIR / name).read_bytes()


def widget_file(name: str) -> bytes:
    path = WIDGET_DIR / name
    if not path.is_file():
        raise NotFound(f"{name} is missing from the installation.")
    return _read(name, path.stat().st_mtime_ns)


@router.get("/widget.js")
def widget_js() -> Response:
    return Response(widget_file("widget.js"), media_type="text/javascript; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=300"})


@router.get("/widget.css")
def widget_css() -> Response:
    return Response(widget_file("widget.css"), media_type="text/css; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=300"})


@router.get("/", response_class=HTMLResponse)
def demo_page(state: StateDep) -> HTMLResponse:
    """The demo page: embeds the widget exactly as a customer page would, with the demo publishable key."""
    if not state.settings.server.demo_page:
        raise NotFound("The demo page is turned off (settings.server.demo_page).")
    page = widget_file("index.html").decode("utf-8")
    key = html.escape(state.keyring.demo_key or "", quote=True)
    return HTMLResponse(page.replace(KEY_PLACEHOLDER, key), headers={"Cache-Control": "no-store"})
