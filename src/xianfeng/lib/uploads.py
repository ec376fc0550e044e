"""Uploaded files: their type decided from their bytes, and random stored names.

A file's name says nothing about what it is: an HTML page renamed ``.png`` is still a
page a browser would run. So the type comes from the first bytes (the `filetype` package,
pure Python), and office documents — zip containers — must hold the entries of their kind
(``word/`` for .docx, ``xl/`` for .xlsx, ``ppt/`` for .pptx). Plain text is accepted only
where a field allows ``.txt``, and never when it looks like markup.
"""

from __future__ import annotations

import secrets
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

import filetype
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible

HEAD_BYTES = 8192


@dataclass(frozen=True)
class FileKind:
    """What a file is: its canonical extension (with the dot) and its media type."""

    extension: str
    mime: str

    @property
    def inline(self) -> bool:
        """Shown in the browser (PDF, pictures, video, audio); anything else is downloaded."""
        major = self.mime.partition("/")[0]
        return self.mime == "application/pdf" or major in {"image", "video", "audio"}


PDF = FileKind(".pdf", "application/pdf")
TEXT = FileKind(".txt", "text/plain; charset=utf-8")
# Kinds we recognise by their bytes; the key is the extension `filetype` reports.
KINDS = {
    "jpg": FileKind(".jpg", "image/jpeg"),
    "png": FileKind(".png", "image/png"),
    "gif": FileKind(".gif", "image/gif"),
    "webp": FileKind(".webp", "image/webp"),
    "pdf": PDF,
    "mp4": FileKind(".mp4", "video/mp4"),
    "m4v": FileKind(".m4v", "video/x-m4v"),
    "webm": FileKind(".webm", "video/webm"),
    "mp3": FileKind(".mp3", "audio/mpeg"),
    "doc": FileKind(".doc", "application/msword"),
    "xls": FileKind(".xls", "application/vnd.ms-excel"),
    "ppt": FileKind(".ppt", "application/vnd.ms-powerpoint"),
}
OFFICE = "application/vnd.openxmlformats-officedocument"
# Zip containers: the folder every document of the kind holds.
ZIP_KINDS = {
    "word/": FileKind(".docx", f"{OFFICE}.wordprocessingml.document"),
    "xl/": FileKind(".xlsx", f"{OFFICE}.spreadsheetml.sheet"),
    "ppt/": FileKind(".pptx", f"{OFFICE}.presentationml.presentation"),
}
ALIASES = {".jpeg": ".jpg"}
MARKUP = (b"<!doctype", b"<html", b"<script", b"<svg", b"<iframe", b"<body", b"<?xml")


def _read_head(file: IO[bytes]) -> bytes:
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    return head


def _zip_kind(file: IO[bytes]) -> FileKind | None:
    try:
        names = zipfile.ZipFile(file).namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        file.seek(0)
    for folder, kind in ZIP_KINDS.items():
        if any(name.startswith(folder) for name in names):
            return kind
    return None


def _text_kind(head: bytes) -> FileKind | None:
    if b"\x00" in head:
        return None
    lowered = head.lower()
    if any(tag in lowered for tag in MARKUP):
        return None
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError:
            continue
        return TEXT
    return None


def sniff(file: IO[bytes]) -> FileKind | None:
    """The kind of an open binary file, from its bytes alone (None: unknown)."""
    head = _read_head(file)
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(file)
    guess = filetype.guess(head)
    if guess is not None:
        return KINDS.get(guess.extension)
    return _text_kind(head) if head else None


def sniff_field(file: Any) -> FileKind | None:
    """The kind of an uploaded file or a stored field file."""
    stored = getattr(file, "_committed", False) and hasattr(file, "storage")
    file.open("rb")
    try:
        return sniff(file)
    finally:
        if stored:  # a stored FieldFile: close what we opened (an upload stays open)
            file.close()


def _labels(allowed: frozenset[str]) -> str:
    return "、".join(sorted({ALIASES.get(e, e).lstrip(".") for e in allowed}))


def _refusal(file: Any, accepted: set[str], label: str) -> str:
    name = original_name(file)
    suffix = PurePath(name).suffix.lower()
    if ALIASES.get(suffix, suffix) in accepted:  # the name claims a type the bytes deny
        return f"“{name}”的内容不是 {suffix.lstrip('.')} 文件（可能已损坏或被改了扩展名），请检查后重新上传"
    return f"只能上传 {label} 文件"


def check_upload(
    file: Any,
    allowed: frozenset[str],
    *,
    limit: int | None = None,
    field: str = "file",
    label: str = "",
) -> FileKind:
    """The kind of `file` if its bytes make it one of the `allowed` extensions, else a
    ValidationError on `field` in Chinese (`label` names the allowed types); at most
    `limit` bytes."""
    if limit is not None and file.size > limit:
        raise ValidationError({field: f"文件不能超过 {limit // 1024 // 1024} MB"})
    kind = sniff_field(file)
    accepted = {ALIASES.get(e, e) for e in allowed}
    if kind is None or kind.extension not in accepted:
        raise ValidationError({field: _refusal(file, accepted, label or _labels(allowed))})
    return kind


def original_name(file: Any) -> str:
    """The file name the user uploaded, without folders, at most 200 characters."""
    return PurePath(getattr(file, "name", "") or "").name[:200]


def _stored_extension(filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()
    suffix = ALIASES.get(suffix, suffix)
    known = {kind.extension for kind in (*KINDS.values(), *ZIP_KINDS.values(), TEXT)}
    return suffix if suffix in known else ""


@deconstructible
class RandomName:
    """`upload_to` for a FileField: ``<folder>/<yyyy>/<32 random hex><.ext>``, so that a
    stored name neither reveals the original name nor can be guessed."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __call__(self, instance: Any, filename: str) -> str:
        year = timezone.localdate().year
        return f"{self.folder}/{year}/{secrets.token_hex(16)}{_stored_extension(filename)}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RandomName) and other.folder == self.folder

    def __hash__(self) -> int:
        return hash(self.folder)
