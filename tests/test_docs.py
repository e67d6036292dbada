"""Documentation that cannot drift: the CLI reference is what the code prints, every guide
is linked from the index."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def test_cli_reference_is_what_the_app_prints() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import cli_reference
    finally:
        sys.path.pop(0)
    expected = cli_reference.render()
    assert (DOCS / "cli.md").read_text("utf-8") == expected, (
        "docs/cli.md is out of date: run python scripts/cli_reference.py"
    )
    for command in ("setup", "edit", "check", "operators fetch", "troubleshoot"):
        assert f"### `tracesguide {command}` (fr)" in expected
        assert f"### `tracesguide {command}` (en)" in expected


def test_index_links_every_guide() -> None:
    index = (DOCS / "index.md").read_text("utf-8")
    linked = set(re.findall(r"\]\(([^)#]+)\)", index))
    guides = {p.name for p in DOCS.glob("*.md") if p.name != "index.md"}
    assert guides <= linked, f"not linked from docs/index.md: {sorted(guides - linked)}"
    for target in linked:
        assert (DOCS / target).resolve().exists(), target
