"""Small documents in each format, made by the tests (no binary files checked in)."""
from __future__ import annotations

import io
from pathlib import Path

ARTICLE = {
    "title": "Muscle Cramps and Vitamin B12",
    "sections": [
        ("Why Cramps Happen", [
            "Muscle cramps are sudden, involuntary contractions of a muscle.",
            "They often strike the calves at night and pass within minutes. Dehydration "
            "and low potassium make them more likely, and so does hard exercise in heat.",
        ]),
        ("Vitamin B12 Injections", [
            "B12 injections can cause mild cramps when potassium levels drop as new blood "
            "cells are made. This effect is usually temporary and settles within a week.",
        ]),
        ("Food Sources", [
            "Clams, liver and fortified cereals are rich in vitamin B12.",
        ]),
    ],
    "items": ["Drink water before exercise.", "Stretch the calf before bed."],
    "table": [("Remedy", "Speed", "Cost"), ("Stretching", "Minutes", "Free"),
              ("Potassium foods", "Days", "Low")],
}
BOILERPLATE = ("Subscribe to our newsletter", "Copyright 2026 Example Health",
               "Home Menu Contact", "Share on Facebook", "We use cookies")


def pdf_bytes(article: dict = ARTICLE, *, pages_per_section: bool = True) -> bytes:
    """A PDF with one section per page, a list and a table (reportlab)."""
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import (ListFlowable, ListItem, PageBreak, Paragraph,
                                    SimpleDocTemplate, Table)
    styles = getSampleStyleSheet()
    story = [Paragraph(article["title"], styles["Title"])]
    for number, (heading, paragraphs) in enumerate(article["sections"]):
        if number and pages_per_section:
            story.append(PageBreak())
        story.append(Paragraph(heading, styles["Heading2"]))
        story += [Paragraph(p, styles["BodyText"]) for p in paragraphs]
    story.append(ListFlowable([ListItem(Paragraph(i, styles["BodyText"]))
                               for i in article["items"]], bulletType="bullet"))
    story.append(Table([list(row) for row in article["table"]]))
    out = io.BytesIO()
    SimpleDocTemplate(out, title=article["title"]).build(story)
    return out.getvalue()


def html_bytes(article: dict = ARTICLE) -> bytes:
    sections = "".join(
        f'<h2 id="s{n}">{h}</h2>' + "".join(f"<p>{p}</p>" for p in ps)
        for n, (h, ps) in enumerate(article["sections"]))
    items = "".join(f"<li>{i}</li>" for i in article["items"])
    head, *rows = article["table"]
    table = ("<table><thead><tr>" + "".join(f"<th>{c}</th>" for c in head)
             + "</tr></thead><tbody>" + "".join(
                 "<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
             + "</tbody></table>")
    return (f"<!doctype html><html><head><title>{article['title']} | Example Health</title>"
            "<style>p{color:red}</style><script>var tracking = 'Share on Facebook';</script>"
            "</head><body><header><nav><a href='/'>Home Menu Contact</a></nav></header>"
            "<div class='cookie-banner'>We use cookies</div>"
            f"<main><article><h1 id='top'>{article['title']}</h1>{sections}<ul>{items}</ul>"
            f"{table}<div class='share'>Share on Facebook</div></article>"
            "<aside>Subscribe to our newsletter</aside></main>"
            "<footer><p>Copyright 2026 Example Health. All rights reserved.</p></footer>"
            "</body></html>").encode("utf-8")


def docx_bytes(article: dict = ARTICLE) -> bytes:
    import docx
    document = docx.Document()
    document.core_properties.title = article["title"]
    document.add_heading(article["title"], level=1)
    for heading, paragraphs in article["sections"]:
        document.add_heading(heading, level=2)
        for p in paragraphs:
            document.add_paragraph(p)
    for item in article["items"]:
        document.add_paragraph(item, style="List Bullet")
    rows = article["table"]
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def markdown_bytes(article: dict = ARTICLE) -> bytes:
    lines = ["---", f"title: {article['title']}", "author: Example", "---", "",
             article["title"], "=" * len(article["title"]), ""]
    for heading, paragraphs in article["sections"]:
        lines += [heading, "-" * len(heading), ""]
        for p in paragraphs:  # wrapped at about 60 characters, as editors do
            words, line = p.split(), ""
            for w in words:
                if len(line) + len(w) > 60:
                    lines.append(line)
                    line = ""
                line = f"{line} {w}".strip()
            lines += [line, ""]
    lines += [f"- {i}" for i in article["items"]] + [""]
    lines += ["```", "# not a heading: code", "```", ""]
    head, *rows = article["table"]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def text_bytes(article: dict = ARTICLE) -> bytes:
    lines = [article["title"], ""]
    for heading, paragraphs in article["sections"]:
        lines += [heading] + paragraphs + [""]
    lines += [f"- {i}" for i in article["items"]]
    return "\n".join(lines).encode("utf-8")


MAKERS = {".pdf": pdf_bytes, ".html": html_bytes, ".docx": docx_bytes,
          ".md": markdown_bytes, ".txt": text_bytes}


def write_all(folder: Path, stem: str = "article") -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for suffix, make in MAKERS.items():
        paths[suffix] = folder / f"{stem}{suffix}"
        paths[suffix].write_bytes(make())
    return paths


def _groups(doc):
    """A document's blocks as (kind, texts, header) runs: list items and table rows
    grouped, so they can be written as one list or one table."""
    runs: list[tuple[str, list, tuple]] = []
    for block in doc.blocks:
        text = doc.text[block.start:block.end]
        value = list(block.cells) if block.kind == "table_row" else text
        if runs and runs[-1][0] == block.kind and block.kind in ("list_item", "table_row") \
                and runs[-1][2] == block.header:
            runs[-1][1].append(value)
        else:
            runs.append((block.kind, [value], block.header))
    return runs


def convert(doc) -> dict[str, bytes]:
    """A plain-text Document saved as HTML, DOCX and PDF, as a maintainer would: the
    first heading the title, the others section headings, lists and tables kept."""
    from html import escape
    runs = _groups(doc)
    parts = ["<html><head></head><body><nav>Home</nav><main>"]
    for number, (kind, values, header) in enumerate(runs):
        if kind == "heading":
            parts += [f"<h{1 if number == 0 else 2}>{escape(v)}</h{1 if number == 0 else 2}>"
                      for v in values]
        elif kind == "paragraph":
            parts += [f"<p>{escape(v)}</p>" for v in values]
        elif kind == "list_item":
            parts.append("<ul>" + "".join(f"<li>{escape(v)}</li>" for v in values) + "</ul>")
        else:
            parts.append("<table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in header)
                         + "</tr>" + "".join("<tr>" + "".join(f"<td>{escape(c)}</td>"
                                                               for c in row) + "</tr>"
                                             for row in values) + "</table>")
    parts.append("</main><footer>Copyright Example</footer></body></html>")
    return {".html": "".join(parts).encode("utf-8"), ".docx": _docx_of(runs),
            ".pdf": _pdf_of(runs)}


def _docx_of(runs) -> bytes:
    import docx
    document = docx.Document()
    for number, (kind, values, header) in enumerate(runs):
        for value in (values if kind != "table_row" else [None]):
            if kind == "heading":
                document.add_heading(value, level=1 if number == 0 else 2)
            elif kind == "paragraph":
                document.add_paragraph(value)
            elif kind == "list_item":
                document.add_paragraph(value, style="List Bullet")
        if kind == "table_row":
            table = document.add_table(rows=1 + len(values), cols=len(header))
            for r, row in enumerate([list(header)] + values):
                for c, cell in enumerate(row[:len(header)]):
                    table.cell(r, c).text = cell
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pdf_of(runs) -> bytes:
    from xml.sax.saxutils import escape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import (ListFlowable, ListItem, Paragraph, SimpleDocTemplate,
                                    Table)
    styles = getSampleStyleSheet()
    story = []
    for number, (kind, values, header) in enumerate(runs):
        if kind == "heading":
            story += [Paragraph(escape(v), styles["Title" if number == 0 else "Heading2"])
                      for v in values]
        elif kind == "paragraph":
            story += [Paragraph(escape(v), styles["BodyText"]) for v in values]
        elif kind == "list_item":
            story.append(ListFlowable([ListItem(Paragraph(escape(v), styles["BodyText"]))
                                       for v in values], bulletType="bullet"))
        else:
            story.append(Table([list(header)] + values))
    out = io.BytesIO()
    SimpleDocTemplate(out).build(story)
    return out.getvalue()
