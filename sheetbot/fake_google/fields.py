"""Partial responses: the ``fields`` parameter (``a,b.c,d(e,f)``, ``*``).

A mask keeps only what it names; it never invents keys. Not the full grammar (no
``/`` paths), which neither gspread nor sheetbot uses.
"""

from __future__ import annotations

from typing import Any

Mask = dict[str, "Mask | None"]  # None: keep the whole value


def parse_mask(text: str) -> Mask | None:
    """None means "everything" (``*`` or empty)."""
    text = text.strip()
    if not text or text == "*":
        return None
    mask, pos = _parse_list(text, 0)
    if pos != len(text):
        raise ValueError(f"bad field mask: {text!r}")
    return mask


def _parse_list(text: str, pos: int) -> tuple[Mask, int]:
    mask: Mask = {}
    while pos < len(text):
        start = pos
        while pos < len(text) and text[pos] not in ",()":
            pos += 1
        path = text[start:pos].strip()
        sub: Mask | None = None
        if pos < len(text) and text[pos] == "(":
            sub, pos = _parse_list(text, pos + 1)
            if pos >= len(text) or text[pos] != ")":
                raise ValueError(f"unbalanced field mask: {text!r}")
            pos += 1
        if path:
            _merge(mask, path.split("."), sub)
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        break
    return mask, pos


def _merge(mask: Mask, parts: list[str], sub: Mask | None) -> None:
    head = parts[0].strip()
    if len(parts) == 1:
        if head == "*":
            mask["*"] = None
            return
        if head in mask and mask[head] is None:
            return
        if sub is None:
            mask[head] = None
        else:
            existing = mask.get(head)
            if existing is None:
                mask[head] = dict(sub)
            else:
                for k, v in sub.items():
                    existing[k] = v
        return
    existing = mask.get(head, {})
    if existing is None:
        return
    mask[head] = existing
    _merge(existing, parts[1:], sub)


def apply_mask(value: Any, mask: Mask | None) -> Any:
    if mask is None:
        return value
    if isinstance(value, list):
        return [apply_mask(v, mask) for v in value]
    if isinstance(value, dict):
        if "*" in mask:
            return value
        out: dict[str, Any] = {}
        for key, sub in mask.items():
            if key in value:
                out[key] = apply_mask(value[key], sub)
        return out
    return value
