"""REST API and dashboard over a tocsin store (needs the ``web`` extra: pip install 'tocsin[web]').

from tocsin.web import create_app, serve
serve("events.db", host="127.0.0.1", port=8000, token=None)   # read-only without a token
"""

from tocsin.web.app import create_app, serve

__all__ = ["create_app", "serve"]
