"""The large-corpus script: one document per answer, and clear errors for bad options."""
from __future__ import annotations

import json

import pytest

from ui.scale_corpus import main, pool_questions, report, write_documents


def _pool(tmp_path):
    rows = [{"id": "GHR_1", "question": "What is A?", "answer": "A is a thing. It is rare."},
            {"id": "GHR_1", "question": "How is A treated?", "answer": "With rest."},
            {"id": "NIDDK_2", "question": "What is B?", "answer": "B is common."}]
    pool = tmp_path / "pool.jsonl"
    pool.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return pool


def test_each_answer_is_one_document_even_when_ids_repeat(tmp_path):
    docs = tmp_path / "docs"
    assert write_documents(_pool(tmp_path), docs) == 3
    assert sorted(p.name for p in docs.iterdir()) == ["00000_GHR_1.md", "00001_GHR_1.md",
                                                      "00002_NIDDK_2.md"]
    assert (docs / "00001_GHR_1.md").read_text() == "# How is A treated?\n\nWith rest.\n"
    before = (docs / "00000_GHR_1.md").stat().st_mtime_ns
    assert write_documents(_pool(tmp_path), docs, limit=2) == 2  # kept, not rewritten
    assert (docs / "00000_GHR_1.md").stat().st_mtime_ns == before


def test_questions_are_spread_over_the_pool(tmp_path):
    assert pool_questions(_pool(tmp_path), 2, None) == ["What is A?", "How is A treated?"]
    assert pool_questions(_pool(tmp_path), 5, 1) == ["What is A?"]


@pytest.mark.parametrize("args, message", [
    (["--limit", "0"], "0 must be at least 1"),
    (["--questions", "many"], "'many' is not a whole number"),
    (["--pool", "/nonexistent/pool.jsonl"], "no pool file at /nonexistent/pool.jsonl"),
])
def test_bad_options_are_refused_clearly(args, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(args)
    assert exit_.value.code == 2 and message in capsys.readouterr().err


def test_skip_build_needs_a_build_first(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["--pool", str(_pool(tmp_path)), "--out", str(tmp_path / "out"), "--skip-build"])
    assert "--skip-build needs the build figures" in capsys.readouterr().err


def test_a_resumed_build_reports_no_throughput():
    figures = {"documents": 3, "units": 5, "chunks": 3, "texts_embedded": 8, "build_s": 2.0,
               "sample_texts": 8, "raw_texts_per_s": 4.0, "build_peak_mb": 100.0,
               "index_mb": 1.0, "open_assistant_s": 1.0, "serving_peak_mb": 200.0,
               "questions": 2, "warm_p50_ms": 5.0, "warm_p95_ms": 6.0, "cold_start_s": 1.5}
    assert "1.00x" in report(figures)
    resumed = report({**figures, "build_resumed": True})
    assert "not measured: the build resumed" in resumed and "1.00x" not in resumed
    assert "(resumed a killed build)" in resumed
