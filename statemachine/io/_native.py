"""The native JSON/YAML format (and the dict API): not written yet."""

from __future__ import annotations

from typing import Any

from . import _document as doc

__all__ = ["parse_native"]


def parse_native(text: str, fmt: str, base_path: str | None, validate: bool) -> doc.Document:
    raise NotImplementedError("the native JSON/YAML reader is not written yet")


def document_from_dict(data: Any, base_path: str | None, where: str) -> doc.Document:
    raise NotImplementedError("the native JSON/YAML reader is not written yet")
