"""The reader and the rules give the same answers after every speed-up: a planted-fault set against its golden.

``tests/planted.py`` builds the set (the demo's workbooks and the LibreOffice fixtures, copied and edited to
hold faults of 61 rule codes, 93 workbooks so the worker pool reads them) and records the golden
(``tests/fixtures/planted/golden.json``) from the version before the speed-ups of issue 18.
"""

from __future__ import annotations

import json

import planted
import pyarrow
import pytest


@pytest.fixture(scope="module")
def outcome(tmp_path_factory) -> dict:
    return planted.outcome(tmp_path_factory.mktemp("planted"))


def _golden() -> dict:
    return json.loads(planted.GOLDEN.read_text(encoding="utf-8"))


def test_validate_of_the_planted_set_gives_the_same_findings_codes_cells_and_messages(outcome):
    golden = _golden()["validate"]
    assert outcome["validate"]["exit"] == golden["exit"] == 1
    assert len({f["code"] for f in golden["findings"]}) >= 60
    assert outcome["validate"]["findings"] == golden["findings"]


def test_ingest_of_the_clean_planted_set_writes_the_same_bytes_and_warnings(outcome):
    golden = _golden()
    assert outcome["ingest"]["exit"] == golden["ingest"]["exit"] == 0
    assert outcome["ingest"]["findings"] == golden["ingest"]["findings"]
    if pyarrow.__version__ != golden["pyarrow"]:
        pytest.skip(f"Parquet bytes recorded with pyarrow {golden['pyarrow']}, this is {pyarrow.__version__}")
    assert outcome["ingest"]["files"] == golden["ingest"]["files"]


def test_ingest_checking_provinces_while_the_workers_read_writes_the_same_bytes_and_warnings(tmp_path, monkeypatch):
    """The planted set's clean variant, its provinces checked in small groups as the workers' batches come in
    (``sbk.validate.Assembly``): the same warnings and the same files as the golden."""
    import sbk.validate

    early: list[int] = []
    finish = sbk.validate.Assembly.finish

    def counted(self):
        got = finish(self)
        early.append(self.checked_early)
        return got

    monkeypatch.setattr(sbk.validate, "EARLY_GROUP", 8)
    monkeypatch.setattr(sbk.validate.Assembly, "finish", counted)
    got = planted.outcome(tmp_path)
    golden = _golden()
    assert early and early[-1] >= 1  # groups were checked before the last batch came in
    assert got["ingest"]["exit"] == 0
    assert got["ingest"]["findings"] == golden["ingest"]["findings"]
    if pyarrow.__version__ == golden["pyarrow"]:
        assert got["ingest"]["files"] == golden["ingest"]["files"]
