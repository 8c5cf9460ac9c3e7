"""What an id means: a catalog site, investment or facility, or a parcel of an imported layer, and where it is.

The app (selection, links, the map's jumps), the CLI (shortlist commands) and
the shortlist store all ask this one resolver, so an id that one of them
accepts the others accept too.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import pandas as pd
from shapely.geometry.base import BaseGeometry

from geodata.candidates.store import is_candidate_id
from geodata.catalog.load import Catalog
from geodata.layers.parcels import split_site_id
from geodata.layers.store import LayerInfo, label_column
from geodata.problems import UnknownId, UserError
from geodata.storage import CandidateBackend, LayerBackend

# What a record is, by catalog layer; imported parcels are "parcel".
KINDS = {"sites": "site", "investments": "investment", "facilities": "facility"}


@dataclass(frozen=True)
class Resolved:
    id: str
    kind: str  # site, investment, facility, parcel or candidate (the user's own)
    name: str
    geometry: BaseGeometry | None
    row: pd.Series
    layer: LayerInfo | None = None  # the imported layer of a parcel

    @property
    def is_site(self) -> bool:
        """Sites and parcels can go on shortlists, be scored and get distance rings."""
        return self.kind in ("site", "parcel", "candidate")


class Resolver:
    """Resolves ids against one catalog and the imported layers (of a data folder, or the shared database).

    A parcel is looked up by id in its layer's backend (the file store keeps a
    read layer in memory; the database answers from its index).
    """

    def __init__(self, catalog: Catalog, layers: LayerBackend, candidates: CandidateBackend | None = None):
        self.catalog = catalog
        self.layers = layers
        self.candidates = candidates

    def resolve(self, rid: str | None) -> Resolved | None:
        """The record or parcel an id names, or None."""
        if not rid:
            return None
        if rid in self.catalog.record_layer:
            layer, row = self.catalog.record(rid)
            return Resolved(rid, KINDS[layer], str(row["name"]), row.geometry, row)
        if is_candidate_id(rid) and self.candidates is not None:
            hit = next((c for c in self.candidates.list() if c.id == rid), None)
            if hit is None:
                return None
            row = self.candidates.sites([rid]).iloc[0]
            return Resolved(rid, "candidate", hit.name, hit.geometry, row)
        try:  # a database that went away, or a layer file that broke, answers nothing: the catalog still resolves
            return self._parcel(rid)
        except UserError:
            return None

    def _parcel(self, rid: str) -> Resolved | None:
        """The parcel an id names; UserError when its layer cannot be read (the reason is the user's to see)."""
        parts = split_site_id(rid)
        if parts is None:
            return None
        info = next((i for i in self.layers.list() if i.name == parts[0]), None)
        if info is None:
            return None
        df = self.layers.features(info, [parts[1]])
        hit = df[df["feature_id"].astype(str) == parts[1]]
        if hit.empty:
            return None
        row = hit.iloc[0]
        return Resolved(rid, "parcel", str(row[label_column(df)]), row.geometry, row, info)

    def known(self, rid: str | None) -> bool:
        return self.resolve(rid) is not None

    def require_site(self, rid: str) -> Resolved:
        """The site or parcel an id names; UnknownId (with close matches as data) otherwise."""
        as_parcel = split_site_id(rid) and not is_candidate_id(rid) and rid not in self.catalog.record_layer
        hit = self._parcel(rid) if as_parcel else self.resolve(rid)
        if hit is not None and hit.is_site:
            return hit
        if hit is not None:
            raise UnknownId(rid, "site", found=hit.kind)
        if is_candidate_id(rid):
            raise UnknownId(rid, "candidate site", where="your candidate sites")
        if split_site_id(rid):
            raise UnknownId(rid, "parcel", where=f"the imported layers ({self.layers.dir})")
        raise UnknownId(rid, "site", suggestions=difflib.get_close_matches(rid, list(self.catalog.sites["id"]), n=3))
