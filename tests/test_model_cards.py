"""Every small model shipped as data has its sha256 on its card (answer_model/README.md),
so a refit that is not documented fails here."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

ANSWER_MODEL = Path(__file__).resolve().parents[1] / "assistant" / "answer_model"


@pytest.mark.parametrize("name", ["corpus_model.json", "follow_up.json", "triage_model.json",
                                  "question_memory.npz"])
def test_the_card_records_each_shipped_models_sha256(name):
    digest = hashlib.sha256((ANSWER_MODEL / name).read_bytes()).hexdigest()
    assert digest in (ANSWER_MODEL / "README.md").read_text(encoding="utf-8"), name
