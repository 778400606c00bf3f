"""The abstention signals and the leading-document rule, on hand-made retrievals."""
from __future__ import annotations

import pytest

from assistant.abstain import FEATURES, Thresholds, signals
from assistant.retrieval import Candidate, Passage, Retrieval
from corpus import load_corpus
from index import SearchIndex


@pytest.fixture
def index(fixture_dir, fake_encoder):
    documents, _ = load_corpus(fixture_dir)
    return SearchIndex.build(documents, fake_encoder)


def _retrieval(index, *passages: tuple[int, float, float]) -> Retrieval:
    ranked = [Passage(position, dense, lexical, dense + 0.05 * lexical)
              for position, dense, lexical in passages]
    first_unit = index.chunk_units(index.chunks[passages[0][0]])[0]
    return Retrieval(ranked, [Candidate(first_unit, passages[0][0], 0.5, 0.5, 0.5, 0.5)])


def _chunk_of(index, doc_id: str, nth: int = 0) -> int:
    return [i for i, c in enumerate(index.chunks) if c.doc_id == doc_id][nth]


def test_retrievers_agree_when_their_best_passages_share_a_document(index):
    first, second = _chunk_of(index, "b12.md", 0), _chunk_of(index, "b12.md", 1)
    retrieval = _retrieval(index, (first, 0.8, 0.3), (second, 0.6, 1.0))
    assert signals(index, "vitamin B12 food", retrieval)["agreement"] == 1.0


def test_retrievers_disagree_when_their_best_passages_are_in_other_documents(index):
    b12, cramps = _chunk_of(index, "b12.md"), _chunk_of(index, "cramps.txt")
    retrieval = _retrieval(index, (b12, 0.8, 0.3), (cramps, 0.6, 1.0))
    assert signals(index, "vitamin B12 food", retrieval)["agreement"] == 0.0


def test_no_lexical_match_is_no_agreement(index):
    b12 = _chunk_of(index, "b12.md")
    retrieval = _retrieval(index, (b12, 0.8, 0.0))
    assert signals(index, "zzz qqq", retrieval)["agreement"] == 0.0


def test_thresholds_need_one_weight_per_feature():
    with pytest.raises(ValueError):
        Thresholds(weights=(1.0,) * (len(FEATURES) - 1))


def _candidate(index, chunk: int, score: float, may_open: bool = True):
    from assistant.retrieval import Candidate
    unit = index.chunk_units(index.chunks[chunk])[0]
    return Candidate(unit, chunk, score, score, score, score, may_open=may_open)


@pytest.mark.parametrize("lead, expected_first", [(0.2, "b12.md"), (0.02, "cramps.txt")])
def test_a_clearly_leading_document_opens_the_answer(index, lead, expected_first):
    from assistant.retrieval import choose_opening
    b12, cramps = _chunk_of(index, "b12.md"), _chunk_of(index, "cramps.txt")
    passages = [Passage(b12, 0.8, 1.0, 0.8), Passage(cramps, 0.8 - lead, 0.5, 0.8 - lead)]
    candidates = [_candidate(index, cramps, 0.9), _candidate(index, b12, 0.7)]
    ordered = choose_opening(index, passages, candidates, gap=0.08)
    assert index.chunks[ordered[0].chunk].doc_id == expected_first
    assert sorted(c.score for c in ordered) == [0.7, 0.9]


def test_a_unit_from_outside_the_best_passages_only_supports(index):
    from assistant.retrieval import choose_opening
    b12, cramps = _chunk_of(index, "b12.md"), _chunk_of(index, "cramps.txt")
    passages = [Passage(b12, 0.8, 1.0, 0.8), Passage(cramps, 0.79, 0.5, 0.79)]
    outsider = _candidate(index, cramps, 0.9, may_open=False)
    candidates = [outsider, _candidate(index, b12, 0.7)]
    ordered = choose_opening(index, passages, candidates, gap=0.08)
    assert ordered[0].may_open and ordered[1] is outsider


def test_the_units_most_like_the_question_join_as_supporting_candidates(index,
                                                                         fake_encoder):
    from assistant.retrieval import Weights, retrieve
    question = "muscle cramps at night and vitamin B12 food sources"
    vector = fake_encoder.encode([question])[0]
    alone = retrieve(index, vector, question, weights=Weights(passages=1, supporting_units=0))
    joined = retrieve(index, vector, question, weights=Weights(passages=1, supporting_units=3))
    top = set(index.chunk_units(index.chunks[joined.passages[0].position]))
    added = [c for c in joined.candidates if c.position not in top]
    assert {c.position for c in alone.candidates} == top
    assert 1 <= len(added) <= 3 and not any(c.may_open for c in added)
    assert joined.candidates[0].may_open


def test_cross_validation_scores_every_question_with_a_model_that_never_saw_it():
    import numpy as np
    from assistant.calibrate import cross_validated
    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal(0.2, 0.05, (20, 6)), rng.normal(0.8, 0.05, (20, 6))])
    y = np.array([0] * 20 + [1] * 20)
    groups = np.array(["a", "b"] * 20)
    p = cross_validated(x, y, groups, folds=5, repeats=3)
    assert p.shape == (3, 40)
    assert (p[:, y == 1] > 0.5).all() and (p[:, y == 0] < 0.5).all()


def test_a_word_only_a_title_uses_is_known_to_the_corpus(tmp_path, fake_encoder):
    from assistant.retrieval import retrieve
    (tmp_path / "h.txt").write_text("Hantavirus – symptoms\n\nFever and muscle aches come "
                                    "first, then coughing.\n")
    documents, _ = load_corpus(tmp_path)
    index = SearchIndex.build(documents, fake_encoder)
    question = "hantavirus symptoms"
    retrieval = retrieve(index, fake_encoder.encode([question])[0], question)
    assert signals(index, question, retrieval)["unknown"] == 0.0
