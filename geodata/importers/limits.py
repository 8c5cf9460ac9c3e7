"""Limits on what an import may read: file size, features, and zip archives.

Defaults fit a national PAD-US geodatabase (1.5 GB zipped, 2.1 GB unpacked,
110 files); every limit can be lowered or raised with an environment variable
(in MB where it is a size) or per call. The app's upload box uses tighter ones.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from geodata import settings
from geodata.settings import MB

# The environment setting behind each limit; a front end names it when a limit is exceeded.
SETTING_OF = {
    "max_file_bytes": "GEODATA_MAX_IMPORT_MB",
    "max_features": "GEODATA_MAX_IMPORT_FEATURES",
    "max_zip_members": "GEODATA_MAX_ZIP_MEMBERS",
    "max_zip_total_bytes": "GEODATA_MAX_ZIP_MB",
    "max_zip_ratio": "GEODATA_MAX_ZIP_RATIO",
}


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 2048 * MB
    max_features: int = 2_000_000
    max_zip_members: int = 10_000
    max_zip_total_bytes: int = 8192 * MB
    max_zip_ratio: float = 200.0  # uncompressed / compressed, per member
    max_xml_bytes: int = 256 * MB  # KML is parsed whole
    max_columns: int = 2_000  # a CSV parser holds a whole row: a ten-million-column header is refused first
    max_line_bytes: int = 4 * MB

    @classmethod
    def from_env(cls) -> Limits:
        d, env = cls(), SETTING_OF
        return cls(
            max_file_bytes=int(settings.import_limit(env["max_file_bytes"], d.max_file_bytes / MB) * MB),
            max_features=int(settings.import_limit(env["max_features"], d.max_features)),
            max_zip_members=int(settings.import_limit(env["max_zip_members"], d.max_zip_members)),
            max_zip_total_bytes=int(settings.import_limit(env["max_zip_total_bytes"], d.max_zip_total_bytes / MB) * MB),
            max_zip_ratio=settings.import_limit(env["max_zip_ratio"], d.max_zip_ratio),
            max_xml_bytes=d.max_xml_bytes,
            max_columns=d.max_columns,
            max_line_bytes=d.max_line_bytes,
        )

    def with_max_mb(self, mb: float | None) -> Limits:
        return self if mb is None else replace(self, max_file_bytes=int(mb * MB))


# The app's upload box: a browser upload is capped by Streamlit at 200 MB anyway.
UPLOAD_LIMITS = Limits(
    max_file_bytes=200 * MB,
    max_features=500_000,
    max_zip_members=2_000,
    max_zip_total_bytes=1024 * MB,
    max_zip_ratio=100.0,
    max_xml_bytes=200 * MB,
)
