"""The integrators' guide (docs/integration.md) served as a page at /api/guide/."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.shortcuts import render
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

GUIDE = Path(settings.BASE_DIR) / "docs" / "integration.md"


@lru_cache(maxsize=4)
def _rendered(modified_ns: int) -> str:
    # Our own file, rendered without raw HTML: nothing in it can inject markup.
    return MarkdownIt("commonmark", {"html": False}).enable("table").render(GUIDE.read_text(encoding="utf-8"))


def integration_guide(request):
    html = _rendered(GUIDE.stat().st_mtime_ns)
    return render(request, "api_schema/guide.html", {"guide": mark_safe(html)})  # noqa: S308 - rendered above
