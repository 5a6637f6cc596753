"""The HTTP API (FastAPI: JSON and Server-Sent Events), the widget files and the demo page.

`create_app(settings)` builds the app; `guideqa serve` runs it with uvicorn.
"""

from assistant.server.app import create_app

__all__ = ["create_app"]
