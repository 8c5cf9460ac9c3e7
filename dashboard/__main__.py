"""Start the app: `python -m dashboard [streamlit options]`.

The same as `streamlit run dashboard/app.py [options]`, with the first page's
work (imports, the catalog, the place index) done in the background while the
browser loads Streamlit's page (dashboard/warmup.py).
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

APP = Path(__file__).with_name("app.py")


def main(argv: list[str] | None = None) -> None:
    from dashboard import warmup
    from geodata import settings

    settings.launcher_defaults()  # the map before the filters and tabs on a session's first page

    threading.Thread(target=warmup.run, name=warmup.THREAD, daemon=True).start()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
