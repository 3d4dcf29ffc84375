"""The vendored chart files survive `collectstatic` (hashed manifest storage) and need no eval."""

from __future__ import annotations

from pathlib import Path

import ajour.stats

VENDOR = Path(ajour.stats.__file__).parent / "static" / "stats" / "vendor"


def test_vendored_files_point_at_no_missing_source_maps() -> None:
    files = sorted(VENDOR.glob("*.js"))
    assert len(files) == 4
    for file in files:
        assert "sourceMappingURL" not in file.read_text(encoding="utf-8"), file.name
