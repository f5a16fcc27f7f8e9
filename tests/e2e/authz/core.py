"""Rows of the core: /health and the JSON 404 on both listener kinds (public)."""
from authz import Row, same

ROWS = [
    Row("management", "GET", "/", "/no/such/route", same(404), auth=None),
    Row("management", "GET", "/health", "/health", same(200), auth=None),
    Row("gateway", "GET", "/", "/no/such/route", same(404), auth=None),
    Row("gateway", "GET", "/health", "/health", same(200), auth=None),
]
