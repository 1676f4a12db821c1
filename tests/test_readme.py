"""What a newcomer reads first works as written."""

from __future__ import annotations

from tests.serverproc import ROOT


def test_the_readme_says_where_antrian_is_before_using_it() -> None:
    text = (ROOT / "README.md").read_text()
    first_use = text.index("\nantrian ")
    said = text[:first_use]
    assert "source .venv/bin/activate" in said and ".venv/bin/antrian" in said
