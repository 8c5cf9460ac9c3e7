"""The page's shape: the map first and as large as the screen allows, details beside it, the rest below.

The map and the details beside it sit in boxes of one fixed height, set on the
elements themselves: the page's stylesheet can arrive after the first elements
have drawn, so a height that depended on it (one fitted to the window) made the
page jump once it applied. MAP_PX fits a 1280x720 laptop (more than half of its
first screen is map) and leaves a phone's first screen with the top of the map.
The details scroll inside their box, so opening a record never moves the page (on a phone, where the
columns stack, the box is a sheet over the map's lower part);
the map's box has its size before the map arrives, so nothing below it jumps.
"""

from __future__ import annotations

import streamlit as st

PAGE_TITLE = "Crystal Land sites atlas"
PAGE_ICON = "🗺️"
MAP_SLOT = "atlas_map_slot"
MAP_PX = 600
BOX_PX = MAP_PX + 10  # the map's element adds a margin
DETAILS_BOX = "atlas_details"
SHEET_PCT = 45  # of the map's height, the details sheet on a phone: the map's centre stays just above it

PAGE_CSS = f"""
<style>
.block-container, [data-testid="stMainBlockContainer"] {{
  padding-top: 3.2rem !important; padding-bottom: 2rem !important;
  padding-left: 1.5rem !important; padding-right: 1.5rem !important; }}
.st-key-atlas_counts {{ gap: 0.4rem 1.4rem !important; }}
.st-key-atlas_counts [data-testid="stMetric"] {{ display: flex; flex-direction: row; align-items: baseline;
  gap: 0 0.35rem; padding: 0; }}
.st-key-atlas_counts [data-testid="stMetric"] > div {{ display: flex; flex-direction: row; align-items: baseline;
  gap: 0 0.35rem; }}
.st-key-atlas_counts [data-testid="stMetricLabel"] {{ min-height: 0; }}
.st-key-atlas_counts [data-testid="stMetricValue"] {{ font-size: 1.2rem; line-height: 1.3; font-weight: 700; }}
.st-key-atlas_counts [data-testid="stMetricDelta"] {{ font-size: 0.78rem; padding: 0 0.35rem; margin: 0; }}
.st-key-atlas_head p {{ margin-bottom: 0; }}
.st-key-atlas_head {{ gap: 0.25rem; }}
[data-testid="stColumn"]:has(.atlas-no-details) {{ display: none; }}
.atlas-field-label {{ font-size: 14px; margin: 0 0 -0.6rem 0; line-height: 1.6; }}
.atlas-title {{ font-size: 1.05rem; font-weight: 700; margin: 0; line-height: 1.3; }}
.atlas-showing {{ font-size: 0.88rem; margin: 0; line-height: 1.35; }}
.atlas-showing .n {{ font-weight: 700; }}
.atlas-showing .off {{ color: #666; }}
.st-key-{MAP_SLOT} {{ overflow: hidden !important;
  background: repeating-linear-gradient(45deg, #eef1f4, #eef1f4 12px, #e6eaee 12px, #e6eaee 24px)
    top left / 100% {MAP_PX}px no-repeat;
  border-radius: 4px; }}
.st-key-{MAP_SLOT} iframe {{ background: #eef1f4; }}
.st-key-{DETAILS_BOX} {{ overflow-x: hidden; padding-right: 4px; }}
.st-key-{DETAILS_BOX} button p {{ word-break: normal; overflow-wrap: normal; hyphens: none; }}
.st-key-atlas_map_buttons button {{ padding: 0.15rem 0.6rem; min-height: 2.1rem; }}
.st-key-atlas_map_buttons [data-testid="stHorizontalBlock"] {{ gap: 0.4rem; flex-wrap: wrap; }}
.st-key-atlas_map_buttons [data-testid="stColumn"] {{ min-width: fit-content; flex: 0 0 auto; width: auto; }}
@media (max-width: 640px) {{
  /* a phone: the counts two to a line and the buttons smaller, so the map starts higher on the first screen */
  .block-container, [data-testid="stMainBlockContainer"] {{ padding-top: 2.6rem !important;
    padding-left: 0.75rem !important; padding-right: 0.75rem !important; }}
  .st-key-atlas_counts {{ gap: 0.1rem 0.8rem !important; }}
  .st-key-atlas_counts [data-testid="stMetricValue"] {{ font-size: 1rem; }}
  .st-key-atlas_counts [data-testid="stMetricLabel"] p {{ font-size: 0.8rem; }}
  .st-key-atlas_counts [data-testid="stMetricDelta"] {{ font-size: 0.7rem; padding: 0 0.25rem; }}
  .st-key-atlas_counts [data-testid="stTooltipHoverTarget"] {{ display: none; }}
  .st-key-atlas_map_buttons button {{ padding: 0.1rem 0.45rem; min-height: 1.8rem; }}
  .st-key-atlas_map_buttons button p {{ font-size: 0.8rem; }}
  /* the columns stack on a phone, which put the details under the map, off the first screen: they open as a
     sheet over the map's lower part instead, scrolling inside, with the selection just above its edge */
  [data-testid="stHorizontalBlock"]:has(.st-key-{DETAILS_BOX}) {{ position: relative; }}
  [data-testid="stColumn"]:has(.st-key-{DETAILS_BOX}):not(:has(.atlas-no-details)) {{
    position: absolute; left: 0; right: 0; bottom: 0; height: {SHEET_PCT}%; width: auto !important;
    min-width: 0 !important; z-index: 10; background: #fff; border-radius: 12px 12px 0 0;
    box-shadow: 0 -3px 12px rgba(0, 0, 0, 0.22); padding: 0.5rem 0.75rem 0 0.75rem; }}
  [data-testid="stColumn"]:has(.st-key-{DETAILS_BOX}) > [data-testid="stVerticalBlock"],
  [data-testid="stLayoutWrapper"]:has(> .st-key-{DETAILS_BOX}),
  .st-key-{DETAILS_BOX} {{ height: 100% !important; max-height: 100% !important; }}
}}
</style>
"""


def keep(keys) -> None:
    """Keep the values of these inputs while their tab is closed.

    Only the open tab runs, and Streamlit forgets a widget's value on the first run that does not draw it;
    writing a value back through the session state makes it the user's own, kept until the tab draws it again.
    """
    ss = st.session_state
    for k in keys:
        if k in ss:
            ss[k] = ss[k]


def page_css() -> None:
    # markdown, not st.html: st.html applies its styles after the elements that follow have drawn,
    # and the map's slot would show at its natural height first
    st.markdown(PAGE_CSS, unsafe_allow_html=True)
