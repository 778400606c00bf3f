"""Command-line faults found with odd input: each is one clear line, never a traceback."""
from __future__ import annotations

from pathlib import Path

import pytest
from format_fixtures import write_all

from index.update import update_index
from ui.batch import valid_text
from ui.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as stop:  # argparse: usage errors and --version
        code = stop.code
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_help_names_every_setting_variable(capsys):
    import re
    code, out, _ = run(capsys, "--help")
    assert code == 0
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    documented = set(re.findall(r"`(QUOTECHAT_[A-Z_]+)`", readme))
    assert documented and documented <= set(re.findall(r"QUOTECHAT_[A-Z_]+", out))


def test_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("quotechat ")


@pytest.mark.parametrize("port", ["99999", "0", "-1", "http"])
def test_serve_refuses_a_port_that_is_not_one(capsys, port):
    code, _, err = run(capsys, "serve", "--port", port)
    assert code == 2 and "port number" in err


def test_a_tiny_chunk_size_names_the_chunk_size(capsys):
    code, _, err = run(capsys, "index", "--chunk-tokens", "5")
    assert code == 2 and "chunk size 5 is too small" in err and "overlap" not in err


@pytest.mark.parametrize("model", ["/nonexistent/model", "./models/nothing-here"])
def test_a_missing_model_folder_is_named_without_hub_jargon(capsys, model):
    code, _, err = run(capsys, "ask", "--model", model, "hello")
    assert code == 2 and "No model folder" in err and "Repo id" not in err


def test_a_file_as_model_is_refused(capsys, tmp_path):
    (tmp_path / "model.bin").write_bytes(b"x")
    code, _, err = run(capsys, "ask", "--model", str(tmp_path / "model.bin"), "hi")
    assert code == 2 and "not a sentence-transformers model folder" in err


def test_a_file_as_corpus_is_called_a_file(capsys, tmp_path):
    (tmp_path / "notes.txt").write_text("Some text.", encoding="utf-8")
    code, _, err = run(capsys, "index", "--corpus", str(tmp_path / "notes.txt"),
                       "--index", str(tmp_path / "idx"), "--model", "/nonexistent/m")
    assert code == 2  # the model is checked first; then the corpus:
    from corpus import CorpusError, load_corpus
    with pytest.raises(CorpusError, match="is a file, not a folder"):
        load_corpus(tmp_path / "notes.txt")


def test_a_file_as_index_is_called_a_file(capsys, tmp_path):
    (tmp_path / "index.txt").write_text("x", encoding="utf-8")
    code, _, err = run(capsys, "show", "a.pdf", "--index", str(tmp_path / "index.txt"))
    assert code == 2 and "is a file, not a folder" in err and "Errno" not in err


def test_show_prints_the_extracted_text_and_a_page(capsys, tmp_path, fake_encoder):
    corpus, index = tmp_path / "docs", tmp_path / "index"
    write_all(corpus)
    update_index(corpus, index, fake_encoder)
    args = ("--corpus", str(corpus), "--index", str(index))
    code, out, _ = run(capsys, "show", "article.pdf", *args)
    assert code == 0 and "Why Cramps Happen" in out and "settles within a week" in out
    code, page2, _ = run(capsys, "show", "article.pdf", "--page", "2", *args)
    assert code == 0 and "settles within a week" in page2 and "Why Cramps" not in page2
    code, _, err = run(capsys, "show", "article.pdf", "--page", "9", *args)
    assert code == 2 and "between 1 and 3" in err
    code, _, err = run(capsys, "show", "article.html", "--page", "1", *args)
    assert code == 2 and "only PDFs" in err
    code, _, err = run(capsys, "show", "nothing.pdf", *args)
    assert code == 2 and "not in the index" in err


def test_invalid_utf8_becomes_replacement_characters():
    broken = b"why \xff\xfe cramps".decode("utf-8", "surrogateescape")
    assert valid_text(broken) == "why \ufffd\ufffd cramps"
    valid_text(broken).encode("utf-8")
