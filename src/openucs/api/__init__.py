"""The HTTP API: the GWS v2 history routes under /api/v2 and our extension under /openucs/v1.

`create_app(settings, store)` in app.py builds it; asgi.py is the `uvicorn --factory` entry.
"""
