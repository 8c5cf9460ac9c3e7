"""geodata.values: the one missing-value test, for every empty cell pandas can hand back."""

from __future__ import annotations

import decimal
import math

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from geodata.values import is_missing, text_or_empty


@pytest.mark.parametrize(
    "value",
    [
        None,
        float("nan"),
        math.nan,
        np.nan,
        np.float32("nan"),
        pd.NA,
        pd.NaT,
        np.datetime64("NaT"),
        np.timedelta64("NaT"),
        decimal.Decimal("NaN"),
    ],
    ids=repr,
)
def test_missing_values(value):
    assert is_missing(value)
    assert text_or_empty(value) == ""


@pytest.mark.parametrize(
    "value",
    [
        0,
        0.0,
        -1.5,
        False,
        "",
        " ",
        "nan",
        "None",
        [],
        (),
        {},
        np.array([np.nan]),
        [None],
        Point(0, 0),
        pd.Timestamp("2025-01-01"),
        np.int64(0),
        np.float64(0.0),
        math.inf,
        b"",
    ],
    ids=repr,
)
def test_present_values_including_empty_containers(value):
    assert not is_missing(value)


def test_every_empty_cell_of_a_frame_is_missing():
    df = pd.DataFrame(
        {
            "f": [1.0, None],
            "i": pd.array([1, None], dtype="Int64"),
            "s": pd.array(["a", None], dtype="string"),
            "o": ["a", None],
            "t": [pd.Timestamp("2025-01-01"), None],
        }
    )
    assert [is_missing(v) for v in df.iloc[0]] == [False] * 5
    assert [is_missing(v) for v in df.iloc[1]] == [True] * 5


def test_text_or_empty_keeps_falsy_values():
    assert text_or_empty(0) == "0"
    assert text_or_empty(False) == "False"
    assert text_or_empty("") == ""
    assert text_or_empty(2.5) == "2.5"
