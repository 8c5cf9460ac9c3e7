"""Finding candidate tracts in a land layer: keep, merge, subtract, measure, rank (see search.py)."""
