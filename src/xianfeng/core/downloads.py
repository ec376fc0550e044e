"""Serving an uploaded file to a user the caller has already checked (never `/media/`).

The type is sniffed again from the stored bytes (files stored before the upload check
have only their name to show for it). PDF, pictures, video and audio are shown inline,
everything else is downloaded under its original name (RFC 5987 for Chinese names);
`X-Content-Type-Options: nosniff` keeps the browser from second-guessing either. A single
HTTP Range (``bytes=a-b``, ``bytes=a-``, ``bytes=-n``) is answered with 206, so a phone
can seek in a video.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

from xianfeng.lib.uploads import FileKind, sniff

OCTET_STREAM = "application/octet-stream"
CHUNK = 64 * 1024
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _open(field_file: Any) -> IO[bytes]:
    if not field_file:
        raise Http404("没有附件")
    try:
        return field_file.storage.open(field_file.name, "rb")  # type: ignore[no-any-return]
    except FileNotFoundError:
        raise Http404("附件文件已丢失，请联系管理员") from None


def _size(file: IO[bytes]) -> int:
    file.seek(0, 2)
    size = file.tell()
    file.seek(0)
    return size


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The first and last byte of a single-range header, None if absent or unparsable;
    raises ValueError if the range lies outside the file."""
    match = RANGE.match(header.strip())
    if match is None or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if not first:  # the last `last` bytes
        start, end = max(size - int(last), 0), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    if start > end or start >= size:
        raise ValueError(header)
    return start, end


class _Slice:
    """`length` bytes of `file` from `start`, in chunks; the response closes the file
    whether or not the body was read (a HEAD request, a client that went away)."""

    def __init__(self, file: IO[bytes], start: int, length: int) -> None:
        self.file, self.start, self.length = file, start, length

    def __iter__(self) -> Iterator[bytes]:
        self.file.seek(self.start)
        left = self.length
        while left > 0:
            data = self.file.read(min(CHUNK, left))
            if not data:
                break
            left -= len(data)
            yield data

    def close(self) -> None:
        self.file.close()


def _partial(file: IO[bytes], size: int, header: str, mime: str) -> HttpResponseBase | None:
    try:
        span = parse_range(header, size)
    except ValueError:
        file.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    if span is None:
        return None
    start, end = span
    length = end - start + 1
    streaming = StreamingHttpResponse(_Slice(file, start, length), status=206, content_type=mime)
    streaming["Content-Range"] = f"bytes {start}-{end}/{size}"
    streaming["Content-Length"] = str(length)
    return streaming


def file_response(request: HttpRequest, field_file: Any, *, filename: str) -> HttpResponseBase:
    """The stored `field_file` for a download or an inline view, named `filename`."""
    file = _open(field_file)
    kind: FileKind | None = sniff(file)
    inline = kind is not None and kind.inline
    mime = kind.mime if kind is not None else OCTET_STREAM
    response: HttpResponseBase | None = None
    if inline and request.headers.get("Range"):
        response = _partial(file, _size(file), request.headers["Range"], mime)
    if response is None:
        response = FileResponse(file, content_type=mime)
    disposition = content_disposition_header(not inline, filename or "file")
    response["Content-Disposition"] = disposition or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    if inline:
        response["Accept-Ranges"] = "bytes"
    return response
