"""Untrusted text made safe for HTML, Leaflet tooltips and Streamlit markdown."""

from __future__ import annotations

import html

from geodata.values import is_missing


def esc(value) -> str:
    """Text for HTML: escaped, and without the backtick and `${` that a JS template literal would run."""
    if is_missing(value):
        return ""
    text = html.escape(str(value), quote=True)
    return text.replace("`", "&#96;").replace("${", "&#36;{")


def md_escape(text: str) -> str:
    """Text shown through st.markdown or st.caption: HTML and markdown syntax made literal.

    Markdown syntax is escaped first and HTML after, with `<`, `>` and `&` as entities only:
    escaping the `#` of an entity (as `&#x27;` for a quote) would show the entity itself.
    """
    if is_missing(text):
        return ""
    out = str(text)
    for ch in "\\`*_{}[]()#+-.!|~$":  # $: Streamlit reads $...$ as LaTeX
        out = out.replace(ch, "\\" + ch)
    return html.escape(out, quote=False)
