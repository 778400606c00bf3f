"""What each `quotechat` command does; argument parsing lives in ui/cli.py."""
from __future__ import annotations

import argparse
import json
import sys

from assistant import Answer
from assistant.evaluation import (evaluate_home, evaluate_medquad, file_format,
                                  read_questions)
from assistant.index_watch import watch_index
from assistant.service import open_assistant, reindex
from assistant.settings import Settings
from ui.batch import batch_lines, parse_batch_line, valid_text


def run_index(args: argparse.Namespace, settings: Settings) -> int:
    # A bar on a terminal, else a log line every few seconds (corpus/progress.py).
    report = reindex(settings, rebuild=args.rebuild, progress=True)
    for skipped in report.skipped:
        print(f"skipped {skipped.path}: {skipped.reason}", file=sys.stderr)
    if report.note:
        print(report.note, file=sys.stderr)
    index = report.index
    state = "saved" if report.saved else "already up to date"
    print(f"index {index.version} {state} at {report.path}")
    print(f"  documents: {len(index.documents)} (added {len(report.added)}, changed "
          f"{len(report.changed)}, removed {len(report.removed)}, unchanged "
          f"{len(report.unchanged)}, skipped {len(report.skipped)})")
    print(f"  units: {len(index.units)}, chunks: {len(index.chunks)}")
    return 0


def format_answer(answer: Answer) -> str:
    """Readable terminal text; every sentence is a quote or a fixed text."""
    from assistant import texts
    lines = []
    if answer.notice:
        lines += [("!! " if answer.status == "emergency" else "") + answer.notice, ""]
    if answer.status == "not_found":
        lines += [texts.NOT_FOUND, ""]
    if answer.quotes:
        lines += [texts.ANSWER_LEAD, ""]
    for number, quote in enumerate(answer.quotes, 1):
        lines.append(f"[{number}] “{quote.text}”")
        source = f"    — {quote.title}" + (f" › {quote.section}" if quote.section else "")
        lines.append(source + f" ({quote.doc_id}, chars {quote.start}-{quote.end})")
        for doc_id, title in quote.also_in:
            lines.append(f"    also in: {title} ({doc_id})")
        lines.append("")
    lines.append(answer.disclaimer)
    return "\n".join(lines)


def run_ask(args: argparse.Namespace, settings: Settings) -> int:
    if args.batch and args.question:
        raise ValueError("give either a question or --batch FILE, not both.")
    if not args.batch and not args.question:
        raise ValueError('no question given: quotechat ask "your question"')
    assistant = open_assistant(settings, progress=sys.stderr.isatty())
    if not args.batch:
        answer = assistant.ask(valid_text(" ".join(args.question)))
        print(json.dumps(answer.to_json(), ensure_ascii=False) if args.json
              else format_answer(answer))
        return 0
    for number, line in enumerate(batch_lines(args.batch), 1):
        qid, question, history = parse_batch_line(line, number)
        answer = assistant.ask(question, history, id=qid)
        if args.json:
            print(json.dumps(answer.to_json(), ensure_ascii=False), flush=True)
        else:
            print(f"Q{number}: {question}\n{format_answer(answer)}\n", flush=True)
    return 0


def run_show(args: argparse.Namespace, settings: Settings) -> int:
    from index import SearchIndex
    index = SearchIndex.load(settings.index_path)
    doc = index.documents.get(args.doc_id)
    if doc is None:
        known = ", ".join(sorted(index.documents)[:5])
        raise ValueError(f"{args.doc_id!r} is not in the index at {settings.index_path} "
                         f"(it has {known}{', …' if len(index.documents) > 5 else ''}); "
                         "run `quotechat index` if the file is new.")
    if args.page is not None:
        if not doc.pages:
            raise ValueError(f"{args.doc_id} has no pages (only PDFs do); drop --page.")
        print(doc.page_text(args.page))
    else:
        print(doc.text)
    return 0


def run_eval(args: argparse.Namespace, settings: Settings) -> int:
    rows = read_questions(args.file)
    assistant = open_assistant(settings, progress=sys.stderr.isatty())
    if file_format(rows) == "medquad":
        report = evaluate_medquad(rows, assistant.ask, by_kind=args.by_kind)
        if args.predictions:
            args.predictions.write_text("".join(json.dumps(p) + "\n"
                                                for p in report.predictions))
    else:
        assistant.forget(args.file.name)  # its own questions do not answer themselves
        report = evaluate_home(rows, assistant.ask, settings.corpus_dir)
    if not args.quiet:
        print("\n".join(report.lines))
    for line in report.summary:
        print(line)
    memory = assistant.memories.memory
    if memory is not None and file_format(rows) != "medquad":
        left_out = int((memory.sources == args.file.name).sum())
        print(f"question memory: {len(memory.sources) - left_out} questions "
              f"({left_out} of {args.file.name} left out)")
    print(f"index {assistant.index.version}, corpus {settings.corpus_dir}")
    print(report.score_line())
    return 0


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    from ui.settings import WebSettings
    settings = WebSettings.serving(settings, admin_password=args.admin_password,
                                   feedback_file=args.feedback,
                                   watch_index=args.watch_index)
    from ui.web import launch, use_compute_threads  # gradio: once the settings are usable
    use_compute_threads(settings)
    assistant = open_assistant(settings, progress=sys.stderr.isatty())
    # Replicas sharing the index folder follow each other's re-indexes.
    watcher = watch_index(assistant, settings, interval=settings.watch_index) \
        if settings.watch_index else None
    print(f"quotechat: serving {len(assistant.index.documents)} documents on "
          f"http://{args.host}:{args.port}", file=sys.stderr)
    print("quotechat: maintainers' tab " + ("on" if settings.admin_password else
          "off (set QUOTECHAT_ADMIN_PASSWORD to serve it)") + "; feedback " +
          (f"saved to {settings.feedback_file}" if settings.feedback_file else "off"),
          file=sys.stderr)
    print("quotechat: " + (f"following new index versions in {settings.index_path} "
                           f"every {settings.watch_index:g} s" if watcher else
                           "not following new index versions (--watch-index 0)"),
          file=sys.stderr)
    try:
        launch(assistant, host=args.host, port=args.port, settings=settings)
    except OSError as err:
        raise OSError(f"cannot serve on {args.host}:{args.port} ({err}); is another "
                      "quotechat running? Choose another port with --port.") from err
    finally:
        if watcher:
            watcher.stop()
    return 0


def run_bench(args: argparse.Namespace, settings: Settings) -> int:
    from ui.bench import run_benchmark
    print(run_benchmark(settings, repeat=args.repeat, questions_file=args.questions))
    return 0
