"""The API documentation page, served entirely by the hub (works offline).

Swagger UI's files are vendored in ``web/static/swagger-ui`` (see
scripts/refresh-frontend-assets); the page has no inline script, so it runs
under the same kind of Content-Security-Policy as every page.
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path
from typing import Any

from litestar import Request, Response, get
from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import OpenAPIRenderPlugin


class OfflineSwagger(OpenAPIRenderPlugin):
    def __init__(self, path: str | list[str] = "/swagger") -> None:
        super().__init__(path=path)

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        title = "sharehub API"
        return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="/static/frontend/images/favicon.ico">
<link rel="stylesheet" href="/static/swagger-ui/swagger-ui.css">
</head>
<body>
<main id="swagger-container"></main>
<script src="/static/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script>
</body>
</html>""".encode()


BUNDLE = Path(__file__).parent / "static" / "swagger-ui" / "swagger-ui-bundle.js.gz"


@lru_cache(maxsize=1)
def _bundle() -> bytes:
    return BUNDLE.read_bytes()


@get(
    "/static/swagger-ui/swagger-ui-bundle.js",
    opt={"public": True},
    include_in_schema=False,
    cache_control=CacheControlHeader(max_age=3600, private=True),
)
async def swagger_bundle(request: Request) -> Response[bytes]:
    """Swagger UI's script, kept gzipped in the package: sent as it is to a
    browser that takes gzip (every current one), unpacked for any other."""
    packed = _bundle()
    headers = {"vary": "accept-encoding"}
    if "gzip" in (request.headers.get("accept-encoding") or "").lower():
        return Response(
            packed,
            media_type="text/javascript",
            headers={**headers, "content-encoding": "gzip"},
        )
    return Response(gzip.decompress(packed), media_type="text/javascript", headers=headers)
