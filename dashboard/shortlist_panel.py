"""Shortlists in the app: pick, add, reorder, annotate, rename, delete, download.

The panel edits a snapshot of the shortlist (the version the user opened).
Saving sends that version along; if another session saved in between, the
store refuses the write and the panel says so, keeping the user's unsaved
edits until they choose to reload. Adding a site never conflicts, so it goes
straight to the latest version.

Every change is recorded with its author: the signed-in user when the deployer
turns on Streamlit's login, else the name typed in the tab. The History
expander shows the changes and restores an earlier version (as a new change).
When the store cannot be used (the shared database down or read-only) the tab
says so in one line and the rest of the app keeps working.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geodata import settings, storage
from geodata.candidates.sites import user_sites
from geodata.catalog.load import Catalog
from geodata.problems import UserError
from geodata.shortlists import export as shortlist_export
from geodata.shortlists.store import Shortlist, StaleWrite

FORMAT_LABELS = {"csv": "CSV", "geojson": "GeoJSON", "kml": "KML", "gpkg": "GeoPackage", "html": "HTML brief"}
MIME = {
    "csv": "text/csv",
    "geojson": "application/geo+json",
    "kml": "application/vnd.google-earth.kml+xml",
    "gpkg": "application/geopackage+sqlite3",
    "html": "text/html",
}


@st.cache_resource(show_spinner=False)
def _store(home: str, database: str | None) -> storage.ShortlistBackend:
    return storage.shortlists(home)


# inputs kept while the tab is closed (layout.keep); sl_active also tells the details panel where "Add" goes
KEPT = ("sl_by", "sl_active")


def store() -> storage.ShortlistBackend:
    return _store(str(settings.home()), settings.database_url()).acting_as(author())


def signed_in_name() -> str | None:
    """The name Streamlit's login gives, when the deployer turned it on and the user signed in."""
    try:
        if st.user.is_logged_in:
            return str(st.user.get("name") or st.user.get("email") or "") or None
    except (AttributeError, KeyError, RuntimeError):
        return None
    return None


def author() -> str:
    return signed_in_name() or st.session_state.get("sl_by", "") or ""


def _snapshots() -> dict[str, Shortlist]:
    return st.session_state.setdefault("sl_snapshot", {})


def _notice(kind: str, text: str) -> None:
    st.session_state["sl_notice"] = (kind, text)


def active_name() -> str | None:
    """The shortlist being edited, settled on first use in a run so the details panel (drawn before
    the Shortlist tab) and the tab agree: a stored choice that no longer exists falls back to the first."""
    ss = st.session_state
    names = store().names()
    if ss.get("sl_active") not in names:
        ss["sl_active"] = names[0] if names else None
    return ss["sl_active"]


def snapshot(name: str, refresh: bool = False) -> Shortlist:
    snaps = _snapshots()
    if refresh or name not in snaps:
        snaps[name] = store().get(name)
    return snaps[name]


def add_site(site_id: str, site_name: str) -> None:
    """Add a site to the active shortlist (button callback)."""
    name = active_name()
    if not name:
        _notice("warning", "Create or pick a shortlist first (Shortlist tab).")
        return
    try:
        before = snapshot(name)
        after = store().add(name, site_id)
    except UserError as exc:
        _notice("warning", str(exc))
        return
    if after.version == before.version + 1:  # nothing else changed: keep the snapshot current
        _snapshots()[name] = after
    _notice("success", f"Added {site_name} to {after.name!r} (rank {after.site_ids.index(site_id) + 1}).")


def add_sites(site_ids: list[str]) -> None:
    """Add several sites at once (button callback); those already on the list stay where they are."""
    name = active_name()
    if not name:
        _notice("warning", "Create or pick a shortlist first (Shortlist tab).")
        return
    added = 0
    for site_id in site_ids:
        if site_id in store().get(name).site_ids:
            continue
        try:
            store().add(name, site_id)
        except UserError as exc:
            _notice("warning", f"Added {added}, then stopped: {exc}")
            return
        added += 1
    _snapshots().pop(name, None)  # several writes: read the list again
    skipped = len(site_ids) - added
    _notice("success", f"Added {added} site(s) to {name!r}" + (f"; {skipped} were already on it." if skipped else "."))


def add_many_button(site_ids: list[str]) -> None:
    name = active_name()
    if not name:
        st.caption("Create a shortlist in the Shortlist tab to collect sites.")
        return
    st.button(
        f"Add {len(site_ids)} sites to shortlist '{name}'",
        key="sl_add_many",
        type="primary",
        on_click=add_sites,
        args=(list(site_ids),),
    )


def remove_site(site_id: str, site_name: str) -> None:
    name = active_name()
    try:
        after = store().remove(name, site_id, expected_version=snapshot(name).version)
    except StaleWrite as exc:
        _notice("warning", f"Not removed: {exc}")
        return
    except UserError as exc:
        _notice("warning", str(exc))
        return
    _snapshots()[name] = after
    _notice("success", f"Removed {site_name} from {after.name!r}.")


def details_buttons(site_id: str, site_name: str) -> None:
    """Add/remove buttons for the details panel of a site."""
    try:
        _details_buttons(site_id, site_name)
    except UserError as exc:
        st.caption(f"Shortlists are unavailable: {exc}")


def _details_buttons(site_id: str, site_name: str) -> None:
    name = active_name()
    if not name:
        st.caption("Create a shortlist in the Shortlist tab to collect sites.")
        return
    on_list = site_id in store().get(name).site_ids
    if on_list:
        st.button(
            f"Remove from shortlist '{name}'", key=f"sl_rm_{site_id}", on_click=remove_site, args=(site_id, site_name)
        )
    else:
        st.button(
            f"Add to shortlist '{name}'",
            key=f"sl_add_{site_id}",
            type="primary",
            on_click=add_site,
            args=(site_id, site_name),
        )


def show_notice() -> None:
    notice = st.session_state.pop("sl_notice", None)
    if notice:
        getattr(st, notice[0])(notice[1])


def _create(sentence: str, filters: dict | None) -> None:
    raw = st.session_state.get("sl_new_name", "")
    try:
        sl = store().create(raw, sentence, filters)
    except UserError as exc:
        _notice("warning", str(exc))
        return
    st.session_state["sl_active"] = sl.name
    st.session_state["sl_new_name"] = ""
    _snapshots()[sl.name] = sl
    _notice("success", f"Created shortlist {sl.name!r}. Add sites from their details or the sites table.")


def _rename() -> None:
    name = active_name()
    new = st.session_state.get("sl_rename", "")
    try:
        sl = store().rename(name, new, expected_version=snapshot(name).version)
    except UserError as exc:
        _notice("warning", f"Not renamed: {exc}")
        return
    _snapshots().pop(name, None)
    _snapshots()[sl.name] = sl
    st.session_state["sl_active"] = sl.name
    _notice("success", f"Renamed to {sl.name!r}.")


def _delete() -> None:
    name = active_name()
    try:
        store().delete(name, expected_version=snapshot(name).version)
    except UserError as exc:
        _notice("warning", f"Not deleted: {exc}")
        return
    _snapshots().pop(name, None)
    st.session_state["sl_active"] = None
    st.session_state["sl_confirm_delete"] = False
    _notice("success", f"Deleted shortlist {name!r}.")


def _reload() -> None:
    snapshot(active_name(), refresh=True)
    st.session_state.pop(_editor_key(active_name()), None)
    _forget_unsaved()


def _editor_key(name: str, version: int | None = None) -> str:
    # the version in the key: after a save the editor starts from the saved order, not the typed numbers
    return f"sl_editor_{name}_v{snapshot(name).version if version is None else version}"


# Only the open tab runs, and Streamlit forgets a table editor's edits on the first run that does not draw
# it. The values the user typed are kept here (UNSAVED, whole values, not the editor's deltas); when the
# editor comes back without its edits, it starts from a table with them written in (RESTORED, unchanged
# until the next time, so the editor's own deltas keep applying to the same table).
UNSAVED = "sl_unsaved"
RESTORED = "sl_restored"
EDITABLE = ("rank", "note", "remove")


def _values(table: pd.DataFrame) -> dict[str, tuple]:
    return {rid: tuple(row) for rid, *row in zip(table["id"], *(table[c] for c in EDITABLE), strict=True)}


def _with_unsaved(table: pd.DataFrame, snap: Shortlist) -> pd.DataFrame:
    """The saved table, with the user's unsaved values written in when the editor lost them."""
    ss = st.session_state
    name, version = snap.name, snap.version
    if _editor_key(name, version) not in ss:  # a new editor (first drawn, or forgotten while the tab was closed)
        held = ss.get(UNSAVED)
        if held and held["list"] == (name, version):
            ss[RESTORED] = held
        else:
            ss.pop(RESTORED, None)
    restored = ss.get(RESTORED)
    if not restored or restored["list"] != (name, version):
        return table
    out = table.copy()
    for i, rid in enumerate(out["id"]):
        if rid in restored["rows"]:
            for column, value in zip(EDITABLE, restored["rows"][rid], strict=True):
                out.at[i, column] = value
    return out


def _note_unsaved(edited: pd.DataFrame, snap: Shortlist) -> bool:
    """Remember what the user has typed and not saved; True when there is any."""
    ss = st.session_state
    saved = {i.site_id: (i.rank, i.note, False) for i in snap.items}
    now = _values(edited)
    if now == saved:
        ss.pop(UNSAVED, None)
        return False
    ss[UNSAVED] = {"list": (snap.name, snap.version), "rows": now}
    return True


def _forget_unsaved() -> None:
    for key in (UNSAVED, RESTORED):
        st.session_state.pop(key, None)


def typed_order(table: pd.DataFrame) -> list[str]:
    """The ids in the order the user typed: a row given rank k lands at k; rows whose rank was not
    changed close up around it in their old order (on a tie the row the user moved goes first)."""
    kept = table[~table["remove"].astype(bool)]
    moved = kept["rank"] != kept["_order"] + 1
    order = kept.assign(_moved=~moved).sort_values(["rank", "_moved", "_order"], kind="stable")
    # ranks typed for moved rows are targets; unmoved rows fill the places left
    targets = {rid: int(r) for rid, r, m in zip(kept["id"], kept["rank"], moved, strict=True) if m}
    rest = [rid for rid in order["id"] if rid not in targets]
    out: list[str | None] = [None] * len(kept)
    for rid, r in sorted(targets.items(), key=lambda t: t[1]):
        k = min(max(r, 1), len(out)) - 1
        while out[k] is not None:  # two rows typed the same rank: the next free place
            k = k + 1 if k + 1 < len(out) else out.index(None)
        out[k] = rid
    fill = iter(rest)
    return [rid if rid is not None else next(fill) for rid in out]


def _save(table: pd.DataFrame) -> None:
    name = active_name()
    notes = dict(zip(table["id"], table["note"], strict=True))
    items = [(rid, notes[rid] if isinstance(notes[rid], str) else "") for rid in typed_order(table)]
    try:
        sl = store().apply_edits(name, items, expected_version=snapshot(name).version)
    except StaleWrite as exc:
        _notice("warning", f"Your changes were not saved: {exc}")
        return
    except UserError as exc:
        _notice("warning", f"Not saved: {exc}")
        return
    _snapshots()[name] = sl
    _forget_unsaved()
    _notice("success", f"Saved {sl.name!r} ({len(sl.items)} site(s)).")


def _download_data(catalog: Catalog, name: str, fmt: str):
    def build() -> bytes:
        sl = store().get(name)
        return shortlist_export.render(
            catalog,
            sl,
            fmt,
            user_sites(storage.layers(settings.home()), storage.candidates(settings.home()), sl.site_ids),
        )

    return build


def _restore(name: str, at: str, version: int) -> None:
    try:
        sl = store().restore(name, at, expected_version=snapshot(name).version)
    except UserError as exc:
        _notice("warning", f"Not restored: {exc}")
        return
    _snapshots()[sl.name] = sl
    st.session_state.pop(_editor_key(name), None)
    _forget_unsaved()
    _notice("success", f"Restored {sl.name!r} as it was at version {version}; that is now version {sl.version}.")


HISTORY_ROWS = 15


def history(name: str) -> None:
    changes = store().history(name)
    latest = changes[-HISTORY_ROWS:][::-1]
    st.table(
        pd.DataFrame(
            {
                "version": [c.version for c in latest],
                "at (UTC)": [c.at[:19].replace("T", " ") for c in latest],
                "by": [c.by or "—" for c in latest],
                "change": [c.action for c in latest],
                "sites": [len(c.shortlist.items) if c.shortlist else 0 for c in latest],
            }
        ),
        hide_index=True,
    )
    if len(changes) > HISTORY_ROWS:
        st.caption(f"The latest {HISTORY_ROWS} of {len(changes)} changes; `geodata shortlist history` lists all.")
    earlier = [c for c in changes[:-1] if c.shortlist is not None]
    if not earlier:
        return
    labels = {f"version {c.version} · {c.at[:19].replace('T', ' ')} · {c.by or '—'}": c for c in reversed(earlier)}
    # keyed by the latest version: when the history grows, the choice starts again from the newest earlier one
    pick = st.selectbox("Earlier version", list(labels), key=f"sl_history_pick_{changes[-1].version}")
    chosen = labels[pick]
    st.caption(
        "It held: "
        + (", ".join(f"{i.rank}. {i.site_id}" for i in chosen.shortlist.items) or "no sites")
        + ". Restoring records a new change; nothing after it is lost from the history."
    )
    st.button(
        "Restore this version", key="sl_history_restore", on_click=_restore, args=(name, chosen.at, chosen.version)
    )


def panel(catalog: Catalog, sentence: str, filters: dict | None) -> None:
    """The Shortlist tab."""
    try:
        _panel(catalog, sentence, filters)
    except UserError as exc:
        st.error(f"Shortlists are unavailable: {exc}. The map and the tables still work.")


def _panel(catalog: Catalog, sentence: str, filters: dict | None) -> None:
    ss = st.session_state
    show_notice()
    who = signed_in_name()
    if who:
        st.caption(f"Changes are recorded as {who} (signed in).")
    else:
        st.text_input("Your name (recorded with each change)", key="sl_by", max_chars=120, placeholder="e.g. Dana")
    name = active_name()
    names = store().names()
    left, right = st.columns([2, 1])
    with left:
        if names:
            st.selectbox("Shortlist", names, key="sl_active")
    with right, st.popover("New shortlist", width="stretch"):
        st.text_input("Name", key="sl_new_name", max_chars=120)
        st.caption(f"It records the current filters: {sentence}.")
        st.button("Create", on_click=_create, args=(sentence, filters), key="sl_create")
    if not name:
        st.info("No shortlist yet. Create one, then add sites from their details panel.")
        return
    snap = snapshot(name)
    latest = store().get(name)
    if latest.version != snap.version:
        st.warning(
            f"{name!r} was changed in another session (version {snap.version} → {latest.version}). "
            "Saving your edits would overwrite that, so it is refused; reload to see the changes "
            "(your unsaved edits here will be dropped)."
        )
        st.button("Reload shortlist", on_click=_reload, key="sl_reload")
    st.caption(
        f"From: {snap.filter_sentence or 'no filter recorded'} · version {snap.version} · updated {snap.updated_at}"
    )
    if not snap.items:
        st.info("This shortlist is empty. Open a site (map or table) and press 'Add to shortlist'.")
    else:
        names_by_id = dict(zip(catalog.sites["id"], catalog.sites["name"], strict=True))
        parcels = user_sites(storage.layers(settings.home()), storage.candidates(settings.home()), snap.site_ids)
        names_by_id.update(zip(parcels["id"], parcels["name"], strict=True))
        table = pd.DataFrame(
            {
                "rank": [i.rank for i in snap.items],
                "name": [names_by_id.get(i.site_id, f"(not in the catalog: {i.site_id})") for i in snap.items],
                "note": [i.note for i in snap.items],
                "remove": [False] * len(snap.items),
                "id": [i.site_id for i in snap.items],
                "_order": range(len(snap.items)),
            }
        )
        table = _with_unsaved(table, snap)
        edited = st.data_editor(
            table,
            key=_editor_key(name),
            hide_index=True,
            width="stretch",
            disabled=["name", "id"],
            column_order=["rank", "name", "note", "remove", "id"],
            column_config={
                "rank": st.column_config.NumberColumn(
                    "rank", min_value=1, max_value=len(table), step=1, help="Change ranks, then Save"
                ),
                "note": st.column_config.TextColumn("note", max_chars=4000, width="large"),
                "remove": st.column_config.CheckboxColumn("remove"),
            },
        )
        unsaved = _note_unsaved(edited, snap)
        c1, c2 = st.columns([1, 3])
        c1.button("Save changes", type="primary", on_click=_save, args=(edited,), key="sl_save")
        c2.caption(
            "Unsaved changes: Save keeps them (they stay here while you use other tabs)."
            if unsaved
            else "Edit ranks and notes in the table, tick 'remove' to drop a site, then save."
        )
        st.markdown("**Download** (the saved version)")
        cols = st.columns(len(FORMAT_LABELS))
        for col, (fmt, label) in zip(cols, FORMAT_LABELS.items(), strict=True):
            col.download_button(
                label,
                data=_download_data(catalog, name, fmt),
                file_name=f"{_slug(name)}.{fmt}",
                mime=MIME[fmt],
                key=f"sl_dl_{fmt}",
                on_click="ignore",
                width="stretch",
            )
    with st.expander("History"):
        history(name)
    with st.expander("Rename or delete"):
        st.text_input("New name", key="sl_rename", max_chars=120)
        st.button("Rename", on_click=_rename, key="sl_do_rename")
        if not ss.get("sl_confirm_delete"):
            if st.button("Delete this shortlist…", key="sl_delete"):
                ss["sl_confirm_delete"] = True
                st.rerun()
        else:
            st.error(f"Delete {name!r} and its {len(snap.items)} site(s)? This cannot be undone.")
            d1, d2 = st.columns(2)
            d1.button("Yes, delete it", on_click=_delete, type="primary", key="sl_confirm")
            if d2.button("Cancel", key="sl_cancel"):
                ss["sl_confirm_delete"] = False
                st.rerun()


def _slug(name: str) -> str:
    keep = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
    return "-".join(p for p in keep.split("-") if p) or "shortlist"
