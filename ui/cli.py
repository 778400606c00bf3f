"""The `quotechat` command line: index, ask, eval, serve, bench.

Errors meant for the user are printed as one line on stderr with exit status 2; no
tracebacks. Progress bars and notes go to stderr, results to stdout.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import textwrap
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Sequence

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

from assistant.evaluation import EvalFileError  # noqa: E402
from assistant.index_watch import DEFAULT_INTERVAL  # noqa: E402
from assistant.settings import ENV_VARS, Settings  # noqa: E402
from corpus import CorpusError  # noqa: E402
from corpus.readers import SUFFIXES  # noqa: E402
from index import ChunkSettings, IndexError_  # noqa: E402
from index.embedder import DEVICES  # noqa: E402
from ui.settings import QUEUE_ENV_VARS, WEB_ENV_VARS  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

USER_ERRORS = (CorpusError, IndexError_, EvalFileError, ValueError, OSError)

EPILOG = """examples:
  quotechat index                          build or update the built-in corpus's index
  quotechat ask "Can B12 shots cause cramps?"
  quotechat ask --json --batch questions.txt
  quotechat show leaflet.pdf --page 2      the text a quote's start/end point into
  quotechat serve --port 7860              the web chat on http://127.0.0.1:7860
  quotechat eval ../shared/eval/seed_questions.jsonl
  quotechat eval ../shared/eval/questions.jsonl --corpus ../shared/eval/docs --by-kind

"""
# From the settings' own tables, so a new variable is listed here too.
EPILOG += "\n" + textwrap.fill(
    "settings: command-line options win over environment variables: "
    + ", ".join(ENV_VARS.values()) + " (QUOTECHAT_ONNX=0: questions embedded by torch); "
    "serve also reads " + ", ".join([*WEB_ENV_VARS.values(), *QUEUE_ENV_VARS.values()])
    + ". README, \"Settings\", says what each does.", width=88)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", type=Path, metavar="DIR",
                        help=f"folder of documents ({', '.join(SUFFIXES)}; default: the "
                             "built-in corpus)")
    parser.add_argument("--index", type=Path, metavar="DIR",
                        help="index folder (default: index/built for the built-in corpus, "
                             "else ~/.cache/quotechat/indexes/NAME-HASH)")
    parser.add_argument("--model", metavar="PATH_OR_ID",
                        help="sentence-transformers model folder or hub id "
                             "(default: the bundled all-MiniLM-L6-v2, its top layers "
                             "tuned on MedQuAD)")
    parser.add_argument("--device", choices=DEVICES, metavar="DEVICE",
                        help="where the model runs: cpu (default; questions then use "
                             "its ONNX export), cuda, mps, or auto (a GPU when present); "
                             "also QUOTECHAT_DEVICE")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quotechat", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Answer questions about a set of documents only by quoting them.",
        epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"quotechat {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("index", help="build or update the index of a corpus folder")
    _common(p)
    p.add_argument("--rebuild", action="store_true",
                   help="re-embed every document instead of re-using unchanged ones")
    p.add_argument("--chunk-tokens", type=int,
                   help="passage size in tokens, kept in the index for later commands "
                        f"(default for a new index: {ChunkSettings().max_tokens})")
    p.add_argument("--chunk-overlap", type=int,
                   help="tokens repeated between passages "
                        f"(default for a new index: {ChunkSettings().overlap})")

    p = sub.add_parser("ask", help="answer one question (or a batch) by quoting")
    _common(p)
    p.add_argument("question", nargs="*", help="the question (words are joined)")
    p.add_argument("--json", action="store_true", help="print the JSON contract")
    p.add_argument("--batch", metavar="FILE", help="one question per line (plain text or "
                   'JSON with "question", optional "id" and "history"); - for stdin')

    p = sub.add_parser("show", help="print a document's text as the index extracted it "
                       "(what quotes' start/end count in)")
    _common(p)
    p.add_argument("doc_id", help="the document id (its path in the corpus folder)")
    p.add_argument("--page", type=int, metavar="N", help="PDF: only page N")

    p = sub.add_parser("eval", help="score a question file (home or MedQuAD format)")
    _common(p)
    p.add_argument("file", type=Path, help="questions .jsonl")
    p.add_argument("--by-kind", action="store_true", help="MedQuAD: metrics per kind")
    p.add_argument("--predictions", type=Path, metavar="OUT",
                   help="MedQuAD: also write predictions.jsonl for shared/eval/score.py")
    p.add_argument("--quiet", action="store_true", help="only the totals")

    p = sub.add_parser("serve", help="start the web chat")
    _common(p)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=port_number, default=7860,
                   help="port, 1-65535 (default 7860)")
    p.add_argument("--admin-password", metavar="PASSWORD",
                   help="serve the maintainers' tab behind this password (safer: "
                        "QUOTECHAT_ADMIN_PASSWORD, which other users cannot see in ps)")
    p.add_argument("--feedback", type=Path, metavar="FILE",
                   help="save helpful / not helpful feedback, with each answer's "
                        "question and sources, to this JSON-lines file (default: "
                        "QUOTECHAT_FEEDBACK_FILE; neither: feedback is off)")
    p.add_argument("--watch-index", type=float, metavar="SECONDS",
                   help="look this often for a new index version (a re-index by another "
                        "replica sharing --index, or by `quotechat index`) and switch to "
                        "it; 0: off (default: QUOTECHAT_WATCH_INDEX, else "
                        f"{DEFAULT_INTERVAL:g})")

    p = sub.add_parser("bench", help="measure latency, cold start and index build time")
    _common(p)
    p.add_argument("--repeat", type=int, default=5, help="rounds over the questions")
    p.add_argument("--questions", type=Path, metavar="FILE",
                   help="questions .jsonl (default: ../shared/eval/seed_questions.jsonl "
                        "when present, else built-in examples)")
    return parser


def _version() -> str:
    try:
        return version("quotechat")
    except PackageNotFoundError:
        return "(not installed)"


def port_number(raw: str) -> int:
    try:
        port = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number: use 1-65535")
    return port


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings.from_env(corpus_dir=args.corpus, index_dir=args.index, model=args.model,
                             chunk_tokens=getattr(args, "chunk_tokens", None),
                             chunk_overlap=getattr(args, "chunk_overlap", None),
                             device=getattr(args, "device", None))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for noisy in ("httpx", "sentence_transformers", "transformers", "urllib3", "bm25s",
                  "pypdf"):
        logging.getLogger(noisy).setLevel(logging.WARNING if args.verbose else logging.ERROR)
    # Progress of a build shows as log lines when stderr is not a terminal (CI, nohup).
    for progress in ("corpus.progress", "index.build"):
        logging.getLogger(progress).setLevel(logging.INFO)
    # numpy's BLAS on one thread: its one large product here is the question memory's,
    # and its threads, spinning after it, slowed the encoder's next run on two cores
    # (warm answer about 14 -> 9 ms); nothing else quotechat does needs BLAS threads.
    threadpool_limits(1, user_api="blas")
    from ui import commands
    handler = getattr(commands, f"run_{args.command}")
    try:
        return handler(args, settings_from(args))
    except USER_ERRORS as err:
        print(f"quotechat: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("quotechat: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
