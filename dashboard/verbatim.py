"""Stop branca from running already-rendered map HTML and JS through Jinja a second time.

branca's MacroElement.render (and folium's Map, Popup and tooltip styles) wrap
each rendered piece in `Element(text)`, and `Element.__init__` compiles that
text as a Jinja2 template, which the figure then renders again. Two effects:

- **Template injection**: any `{{ ... }}` or `{% ... %}` in a record's name,
  note or imported attribute is *executed* on the server when the map renders
  (a site named `{{ 7*7 }}` shows as `49`; Jinja's unsandboxed globals reach
  further than arithmetic). HTML-escaping does not touch braces.
- **Time**: every rerun compiles ~100 templates from the rendered output,
  ~0.2 s of a 0.6 s rerun here, growing with the size of the inlined data.

Every runtime caller of `branca.element.Template` passes text that is already
rendered (folium renders its own templates first; classes compile theirs at
import), so replacing it with a template that returns the text verbatim keeps
the output identical for honest input and inert for hostile input. The
benchmark's naive path calls `uninstall()` to measure stock folium.
"""

from __future__ import annotations

import branca.element
from jinja2 import Template as JinjaTemplate


class VerbatimTemplate:
    """The part of jinja2.Template that branca's Element uses, returning its text unchanged."""

    def __init__(self, source: str = ""):
        self._text = str(source)

    def render(self, *args, **kwargs) -> str:
        return self._text


def install() -> None:
    branca.element.Template = VerbatimTemplate


def uninstall() -> None:
    branca.element.Template = JinjaTemplate
