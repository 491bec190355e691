"""``/schema``: a page in words about the API's OpenAPI document (served beside it at
``/schema/openapi.json``), rather than the bare JSON a browser would show without a title or
a language."""

from __future__ import annotations

from html import escape
from typing import Any

from litestar import Request
from litestar.openapi.plugins import OpenAPIRenderPlugin


class SchemaPage(OpenAPIRenderPlugin):
    """The OpenAPI render plugin for the schema's root page."""

    def __init__(self) -> None:
        super().__init__(path="/")

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        info = openapi_schema.get("info", {})
        title = escape(f"{info.get('title', 'coopvote')} API, version {info.get('version', '')}")
        paths = len(openapi_schema.get("paths", {}))
        return f"""<!doctype html>
<html lang="en-GB">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title} · coopvote</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/static/site.css">
</head>
<body>
  <main id="main" class="wrap">
    <h1>{title}</h1>
    <p>{escape(info.get("description", ""))}</p>
    <p>The API's {paths} paths are described in its
      <a href="/schema/openapi.json">OpenAPI document (JSON)</a>, which API tools read;
      <code>docs/api.md</code> explains them in words.</p>
    <p><a href="/">Back to the home page</a></p>
  </main>
</body>
</html>
""".encode()
