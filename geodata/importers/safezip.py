"""Unpack a zip archive without trusting it.

Refused before anything is written: members that would land outside the
target folder (absolute paths, `..`, drive letters), links, nested archives,
too many members, too much uncompressed data, and members that inflate more
than the allowed ratio (zip bombs). The sizes in the central directory are
checked first and enforced again while extracting, since they can lie.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from geodata.importers.limits import Limits
from geodata.problems import LimitExceeded, UserError

CHUNK = 1024 * 1024


def _safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise UserError(f"the zip member {name!r} would be written outside its folder; archive refused")
    return path


def check(zf: zipfile.ZipFile, archive: str, limits: Limits) -> list[zipfile.ZipInfo]:
    infos = zf.infolist()
    if len(infos) > limits.max_zip_members:
        raise LimitExceeded(
            "max_zip_members",
            limits.max_zip_members,
            len(infos),
            problem=f"{archive} has {len(infos):,} members, more than the limit of {limits.max_zip_members:,}",
        )
    total = 0
    for info in infos:
        _safe_name(info.filename)
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise UserError(f"the zip member {info.filename!r} is a symbolic link; archive refused")
        if info.flag_bits & 0x1:
            raise UserError(f"the zip member {info.filename!r} is encrypted; unpack it yourself first")
        total += info.file_size
        if info.compress_size and info.file_size / info.compress_size > limits.max_zip_ratio:
            ratio = info.file_size / info.compress_size
            raise LimitExceeded(
                "max_zip_ratio",
                limits.max_zip_ratio,
                ratio,
                problem=f"the zip member {info.filename!r} inflates {ratio:,.0f} times "
                f"(limit {limits.max_zip_ratio:g}): refused as a possible zip bomb",
            )
    if total > limits.max_zip_total_bytes:
        raise LimitExceeded(
            "max_zip_total_bytes",
            limits.max_zip_total_bytes,
            total,
            problem=f"{archive} would unpack to {total / 2**20:,.0f} MB, more than the limit of "
            f"{limits.max_zip_total_bytes / 2**20:,.0f} MB",
        )
    return infos


def extract(archive: Path, target: Path, limits: Limits) -> Path:
    """Unpack `archive` into the (empty) folder `target`; return `target`."""
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile as exc:
        raise UserError(f"{archive.name} is a corrupt or truncated zip archive ({exc})") from None
    with zf:
        infos = check(zf, archive.name, limits)
        written = 0
        for info in infos:
            rel = _safe_name(info.filename)
            dest = target.joinpath(*rel.parts)
            if info.is_dir():
                dest.mkdir(parents=True, exist_ok=True)
                continue
            if rel.suffix.lower() in (".zip", ".kmz") and rel.name.lower() != "doc.kml":
                raise UserError(f"{archive.name} contains another archive ({info.filename}); unpack it first")
            dest.parent.mkdir(parents=True, exist_ok=True)
            budget = info.file_size
            try:
                with zf.open(info) as src, open(dest, "wb") as out:
                    while chunk := src.read(CHUNK):
                        written += len(chunk)
                        budget -= len(chunk)
                        if budget < 0 or written > limits.max_zip_total_bytes:
                            raise UserError(
                                f"{info.filename!r} in {archive.name} unpacks to more than its "
                                "header says: refused as a possible zip bomb"
                            )
                        out.write(chunk)
            except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
                raise UserError(f"{archive.name} is corrupt or truncated ({info.filename}: {exc})") from None
            except OSError as exc:
                raise UserError(f"cannot unpack {info.filename!r}: {exc.strerror or exc}") from None
    return target
