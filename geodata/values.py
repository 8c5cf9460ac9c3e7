"""One definition of "no value" for the cells of catalog frames, imported layers and exports.

pandas hands back None, float NaN, numpy NaN, pd.NA or NaT for an empty cell
depending on the column's dtype, and `v != v` catches only the NaNs, so every
missing-value check goes through `is_missing`. Containers (lists of sources,
states) are values, even when empty: callers that hide empty lists say so.
"""

from __future__ import annotations

import pandas as pd
from pandas.api.types import is_scalar


def is_missing(value: object) -> bool:
    """True for None, NaN (float, numpy, Decimal), pd.NA and NaT (pandas or numpy); False for anything else."""
    if value is None:
        return True
    if isinstance(value, str):  # the common case first: these run per cell of large layers
        return False
    if isinstance(value, float):  # numpy.float64 is a float too
        return value != value
    # pd.isna on a list or array answers element-wise; only a scalar has one answer
    return is_scalar(value) and bool(pd.isna(value))


def text_or_empty(value: object) -> str:
    """str(value), or "" for a missing value."""
    return "" if is_missing(value) else str(value)
