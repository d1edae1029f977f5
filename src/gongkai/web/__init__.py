"""The review web app (``gongkai serve``): report list, report pages beside their source,
corrections with an audit trail, findings reviewed, uploads, a dashboard and a JSON API.

>>> from gongkai.web import create_app
>>> app = create_app("gongkai.db", anonymous_read=True)   # an ASGI app: uvicorn, httpx, …

Needs the ``web`` extra. Pages are Jinja2 (autoescape on) with htmx; every asset is bundled in
``static/`` (see its README): the app works with no internet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["create_app"]


def create_app(*args: Any, **kwargs: Any) -> FastAPI:
    """See :func:`gongkai.web.app.create_app` (imported on call: FastAPI is an optional extra)."""
    from .app import create_app as create

    return create(*args, **kwargs)
