"""Numbers on the command line: finite ones only.

`float()` reads 'nan', 'inf' and '1e309' (infinity) without complaint; a limit or an
acreage like that would be compared, printed and written as if it meant something.
"""

from __future__ import annotations

import argparse
import math


def finite(text: str) -> float:
    """An argparse type: a finite number, or a one-line usage error naming the value."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a finite number")
    return value
