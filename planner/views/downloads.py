"""File downloads with a Content-Disposition header that any file name can go into.

Names carry ids (learner ids, plan numbers), so the header is built, never pasted: an ASCII
`filename="…"` with anything unsafe replaced, plus RFC 6266 `filename*` for the real
UTF-8 name (李娜) where browsers read it.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import Response

_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/]')  # header-breaking, quoting or path characters


def content_disposition(filename: str) -> str:
    clean = _UNSAFE.sub("_", filename)
    ascii_name = "".join(c if c.isascii() else "_" for c in clean)
    value = f'attachment; filename="{ascii_name}"'
    if ascii_name != clean:
        value += f"; filename*=UTF-8''{quote(clean, safe='')}"
    return value


def download(body, mimetype: str, filename: str) -> Response:
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": content_disposition(filename)}
    )
