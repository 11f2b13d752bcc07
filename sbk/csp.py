"""The Content-Security-Policy every page the project publishes carries.

Reports, the index and the catalog page need no script at all (render_html strips nbconvert's), so the
policy forbids scripts outright: text from a workbook or the catalog is escaped where it is written, and
should an escape ever be missed, the browser still refuses to run what it let through. Images are
embedded as data: URIs and styles are inline; nothing is fetched from the network.
"""

from __future__ import annotations

__all__ = ["META", "POLICY", "with_policy"]

POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; base-uri 'none'; form-action 'none'"
META = f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">'


def with_policy(page: str) -> str:
    """Put the policy first in the page's <head> (before anything it governs)."""
    head = page.find("<head>")
    if head < 0:
        raise ValueError("page has no <head>")
    at = head + len("<head>")
    return page[:at] + META + page[at:]
