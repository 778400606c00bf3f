"""The shipped encoder: the wheel's MiniLM with the tuned layers put in, checked by sha256."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file

from index import tuned_model
from index.embedder import base_model_path, default_model_path
from index.errors import ModelNotFound


def test_the_card_records_the_layers_sha256():
    digest = hashlib.sha256(tuned_model.LAYERS.read_bytes()).hexdigest()
    assert digest == tuned_model.expected_sha256()
    assert digest in (tuned_model.TUNED / "README.md").read_text()


def test_the_default_model_is_the_base_with_the_tuned_layers(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = Path(default_model_path())
    assert path.is_relative_to(tmp_path) and path.name.startswith("minilm-medquad-")
    base = load_file(str(Path(base_model_path()) / "model.safetensors"))
    built = load_file(str(path / "model.safetensors"))
    layers = load_file(str(tuned_model.LAYERS))
    assert set(built) == set(base) and layers and set(layers) < set(base)
    for name, tensor in built.items():
        expected = layers[name].astype(np.float32) if name in layers else base[name]
        assert np.array_equal(tensor, expected), name
    assert (path / "tokenizer.json").is_file() and (path / "README.md").is_file()
    assert default_model_path() == str(path)  # assembled once, then re-used


def test_damaged_layers_are_refused(tmp_path, monkeypatch):
    folder = tmp_path / "minilm-medquad"
    shutil.copytree(tuned_model.TUNED, folder)
    data = bytearray((folder / "layers.safetensors").read_bytes())
    data[-10] ^= 0xFF
    (folder / "layers.safetensors").write_bytes(bytes(data))
    monkeypatch.setattr(tuned_model, "TUNED", folder)
    monkeypatch.setattr(tuned_model, "LAYERS", folder / "layers.safetensors")
    with pytest.raises(ModelNotFound, match="damaged"):
        tuned_model.assemble(Path(base_model_path()), tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert json.loads((folder / "training.json").read_text())["train_seconds"] > 0


def test_training_exports_exactly_the_changed_layers_and_loads_them_back(tmp_path):
    """What train_encoder writes: only the tensors training changed, as float16, with
    their sha256 in the record; and --from-layers reads them back into the base model.
    (A sentence-transformers release renamed the module's keys once, and the export
    silently wrote no tensors.)"""
    import torch
    from sentence_transformers import SentenceTransformer
    from assistant.answer_model.train_encoder import export_layers, load_layers
    model = SentenceTransformer(base_model_path(), device="cpu")
    changed = model[0].auto_model.encoder.layer[5].output.dense.bias
    with torch.no_grad():
        changed += 0.5
    export_layers(model, base_model_path(), tmp_path, {"seed": 1})
    layers = load_file(str(tmp_path / "layers.safetensors"))
    assert set(layers) == {"encoder.layer.5.output.dense.bias"}
    record = json.loads((tmp_path / "training.json").read_text())
    assert record["tensors"] == 1 and record["seed"] == 1
    assert record["layers_sha256"] == hashlib.sha256(
        (tmp_path / "layers.safetensors").read_bytes()).hexdigest()
    fresh = SentenceTransformer(base_model_path(), device="cpu")
    load_layers(fresh, tmp_path / "layers.safetensors")
    assert torch.allclose(fresh[0].auto_model.encoder.layer[5].output.dense.bias, changed,
                          atol=1e-3)


def test_each_round_of_the_questions_stage_mines_with_the_encoder_so_far(monkeypatch,
                                                                          tmp_path):
    """A later round's negatives come from the encoder the earlier rounds tuned."""
    from types import SimpleNamespace
    from assistant.answer_model import home_triplets, train_encoder
    model = SimpleNamespace(rounds_trained=0, max_seq_length=256)
    mined_with, trained = [], []
    monkeypatch.setattr(train_encoder, "open_with",
                        lambda m, folder: (m.rounds_trained, folder.name))
    monkeypatch.setattr(home_triplets, "question_triplets",
                        lambda opened, rows, rng: mined_with.append(opened) or
                        [{"anchor": r, "positive": "p", "negative": "n"} for r in rows])

    def train(m, triplets, *, epochs, **_):
        trained.append((epochs, len(triplets)))
        m.rounds_trained += 1
    monkeypatch.setattr(train_encoder, "_train", train)
    monkeypatch.setattr(train_encoder, "_save_round", lambda m, here, n: None)
    args = train_encoder.make_parser().parse_args(
        ["--questions", "q.jsonl", "--questions-medquad", "1"])
    record = train_encoder.questions_stage(model, [{"anchor": "m"}] * 5, ["a", "b"], args,
                                           tmp_path)
    assert args.questions_epochs == [2.0, 1.0]  # the default: a second, mined-again round
    assert mined_with == [(0, "round-1"), (1, "round-2")]
    assert trained == [(2.0, 3), (1.0, 3)]
    assert record["home_triplets"] == [2, 2] and record["medquad_triplets"] == 1


def test_a_killed_questions_stage_resumes_where_it_stopped(monkeypatch, tmp_path):
    """--resume after a kill in round 2: round 1's layers are loaded, not trained again;
    round 2 trains on the triplets it mined before the kill, from its last checkpoint."""
    import torch
    from sentence_transformers import SentenceTransformer
    from assistant.answer_model import home_triplets, train_encoder
    mined, trained = [], []
    monkeypatch.setattr(train_encoder, "open_with", lambda model, folder: folder.name)
    monkeypatch.setattr(home_triplets, "question_triplets",
                        lambda opened, rows, rng: mined.append(opened) or
                        [{"anchor": f"{r} {rng.random()}", "positive": "p", "negative": "n"}
                         for r in rows])

    def bias(model):
        return model[0].auto_model.encoder.layer[5].output.dense.bias

    def train(model, triplets, *, work, resume, **_):
        trained.append((work.parent.name, [t["anchor"] for t in triplets], resume,
                        float(bias(model)[0])))
        (work / "checkpoint-5").mkdir(parents=True, exist_ok=True)
        if work.parent.name == "round-2" and not resume:
            raise KeyboardInterrupt  # killed in the middle of round 2
        with torch.no_grad():
            bias(model).add_(0.25)
    monkeypatch.setattr(train_encoder, "_train", train)
    args = train_encoder.make_parser().parse_args(
        ["--questions", "q.jsonl", "--questions-medquad", "1"])
    medquad = [{"anchor": "m", "positive": "p", "negative": "n"}]
    fresh = SentenceTransformer(base_model_path(), device="cpu")
    start = float(bias(fresh)[0])
    with pytest.raises(KeyboardInterrupt):
        train_encoder.questions_stage(fresh, medquad, ["a", "b"], args, tmp_path)
    assert mined == ["round-1", "round-2"] and len(trained) == 2
    args.resume = True
    again = SentenceTransformer(base_model_path(), device="cpu")
    record = train_encoder.questions_stage(again, medquad, ["a", "b"], args, tmp_path)
    assert mined == ["round-1", "round-2"]  # nothing mined again
    round_2 = trained[2]
    assert round_2[0] == "round-2" and round_2[2] is True
    assert round_2[1] == trained[1][1]  # the same triplets as before the kill
    assert round_2[3] == pytest.approx(start + 0.25, abs=1e-3)  # round 1's layers loaded
    assert record["home_triplets"] == [2, 2]


def test_resume_goes_on_from_a_checkpoint_only_when_one_was_saved(tmp_path):
    """A run killed before its first --save-steps has nothing to resume from: that part
    starts afresh instead of stopping with the trainer's "no valid checkpoint" error."""
    from assistant.answer_model.train_encoder import _resume_from
    assert _resume_from(tmp_path, resume=False) is None
    assert _resume_from(tmp_path, resume=True) is None
    (tmp_path / "checkpoint-100").mkdir()
    assert _resume_from(tmp_path, resume=True) is True
    assert _resume_from(tmp_path, resume=False) is None


def _layers_with_record(folder: Path, record: dict) -> Path:
    folder.mkdir()
    (folder / "layers.safetensors").write_bytes(b"")
    (folder / "training.json").write_text(json.dumps(record))
    return folder / "layers.safetensors"


def _pool_and_questions(tmp_path: Path) -> list[str]:
    """train_encoder's --pool and --questions arguments, naming files that exist."""
    pool, questions = tmp_path / "pool.jsonl", tmp_path / "q.jsonl"
    pool.write_text("{}\n")
    questions.write_text("{}\n")
    return ["--pool", str(pool), "--questions", str(questions)]


def test_continue_is_only_for_layers_that_had_the_questions_stage(tmp_path, capsys):
    """--from-layers with second-stage layers needs --continue, and --continue needs them:
    a clear message before any training, not layers tuned twice by mistake."""
    from assistant.answer_model import train_encoder
    tuned = _layers_with_record(tmp_path / "tuned", {"questions_stage": {}, "layers_sha256": "x"})
    stage1 = _layers_with_record(tmp_path / "stage1", {"layers_sha256": "y"})
    common = _pool_and_questions(tmp_path)
    for extra, message in ((["--from-layers", str(tuned)], "give --continue"),
                           (["--continue", "--from-layers", str(stage1)], "leave out"),
                           (["--continue"], "needs --from-layers")):
        parser = train_encoder.make_parser()
        with pytest.raises(SystemExit):
            train_encoder.check_inputs(parser, parser.parse_args(common + extra))
        assert message in capsys.readouterr().err
    parser = train_encoder.make_parser()
    train_encoder.check_inputs(parser, parser.parse_args(
        common + ["--continue", "--from-layers", str(tuned)]))


def test_a_continued_round_is_recorded_with_the_layers_it_started_from(monkeypatch, tmp_path):
    from types import SimpleNamespace
    from assistant.answer_model import train_encoder
    import assistant.evaluation as evaluation
    tuned = _layers_with_record(tmp_path / "tuned", {
        "questions_stage": {"epochs": [2.0, 1.0]}, "medquad_stage_sha256": "m",
        "layers_sha256": "before"})
    written = {}
    monkeypatch.setattr(train_encoder, "build_triplets", lambda *a, **k: [])
    monkeypatch.setattr(train_encoder, "new_model", lambda args: SimpleNamespace())
    monkeypatch.setattr(train_encoder, "load_layers", lambda model, path: None)
    monkeypatch.setattr(evaluation, "read_questions", lambda path: [{"id": "q"}])
    monkeypatch.setattr(train_encoder, "questions_stage",
                        lambda model, medquad, rows, args, folder: {"epochs": [1.0]})
    monkeypatch.setattr(train_encoder, "export_layers",
                        lambda model, base, out, record: written.update(record))
    monkeypatch.setattr("index.embedder.base_model_path", lambda: "base")
    train_encoder.main(_pool_and_questions(tmp_path) + [
        "--continue", "--from-layers", str(tuned), "--questions-epochs", "1",
        "--out", str(tmp_path / "out")])
    assert written["questions_stage"] == {"epochs": [2.0, 1.0]}  # the earlier stage kept
    assert written["medquad_stage_sha256"] == "m"
    assert [c["from_layers_sha256"] for c in written["continued"]] == ["before"]
    assert written["continued"][0]["epochs"] == [1.0]
