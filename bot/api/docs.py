"""`GET /docs`: Swagger UI started from a static script (the CSP allows no inline script)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from bot.security_headers import SWAGGER_CDN

router = APIRouter(include_in_schema=False)
_UI = f"{SWAGGER_CDN}/npm/swagger-ui-dist@5"
PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Levqor API</title>
<link rel="stylesheet" href="{_UI}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{_UI}/swagger-ui-bundle.js"></script>
<script src="{_UI}/swagger-ui-standalone-preset.js"></script>
<script src="/static/js/swagger-init.js"></script>
</body>
</html>
"""


@router.get("/docs")
async def docs() -> HTMLResponse:
    """The interactive API reference; Authorize with a workspace API key (HTTP bearer)."""
    return HTMLResponse(PAGE)
