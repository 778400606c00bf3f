"""HTML: the page's main content only (BeautifulSoup with the standard html.parser).

The article is the <main> element (or role="main", else the longest <article>, else the
body) with navigation, headers, footers, sidebars, forms, scripts and styles taken out,
and anything whose class or id says cookie banner, breadcrumb, share bar or the like.
Headings become sections; a heading's id (or its section's) is its anchor, so a quote
can link to the place in the original page.
"""
from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

from corpus.readers import Extracted
from corpus.readers.builder import TextBuilder, clean
from corpus.readers.decode import decode_utf8

_DROP = {"script", "style", "noscript", "template", "nav", "header", "footer", "aside",
         "form", "iframe", "svg", "button", "select", "textarea", "input", "menu",
         "dialog", "object", "embed", "canvas", "head", "title", "meta", "link"}
_DROP_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search",
               "dialog", "alert", "menu", "menubar"}
_BOILERPLATE = re.compile(r"(^|[-_ ])(cookie|consent|breadcrumbs?|share|social|"
                          r"sidebar|newsletter|subscribe|advert|ads?|promo|related|"
                          r"comments?|skip-link|site-nav|navbar|footer|masthead|jump|"
                          r"toc|editsection|catlinks|navbox|printfooter|noprint|"
                          r"mw-indicators|screen-reader-text|sr-only|visually-hidden)"
                          r"($|[-_ ])", re.I)
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_PARAGRAPHS = {"p", "dt", "dd", "figcaption", "pre", "caption", "address", "summary"}
_NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction)


def _boilerplate(tag: Tag) -> bool:
    if tag.name in _DROP or (tag.get("role") or "").lower() in _DROP_ROLES:
        return True
    if tag.has_attr("hidden") or (tag.get("aria-hidden") or "").lower() == "true":
        return True
    names = " ".join(tag.get("class") or []) + " " + str(tag.get("id") or "")
    return bool(_BOILERPLATE.search(names))


def _main(soup: BeautifulSoup) -> Tag:
    for candidate in (soup.find("main"), soup.find(attrs={"role": "main"})):
        if isinstance(candidate, Tag):
            return candidate
    articles = soup.find_all("article")
    if articles:
        return max(articles, key=lambda a: len(a.get_text()))
    return soup.body or soup


def _strip_boilerplate(root: Tag) -> None:
    for tag in list(root.find_all(True)):
        if not tag.decomposed and _boilerplate(tag):
            tag.decompose()


def _text(tag: Tag) -> str:
    return "".join(str(s) for s in tag.find_all(string=True)
                   if not isinstance(s, _NOT_TEXT))


def _anchor(tag: Tag) -> str:
    if tag.get("id"):
        return str(tag["id"])
    inner = tag.find(attrs={"id": True}) or tag.find("a", attrs={"name": True})
    if isinstance(inner, Tag):
        return str(inner.get("id") or inner.get("name"))
    parent = tag.parent
    if isinstance(parent, Tag) and parent.name == "section" and parent.get("id"):
        return str(parent["id"])
    return ""


class _Walker:
    def __init__(self) -> None:
        self.builder = TextBuilder()
        self.loose: list[str] = []  # inline text outside any paragraph element

    def flush(self) -> None:
        self.builder.paragraph("".join(self.loose))
        self.loose = []

    def walk(self, element: Tag) -> None:
        for child in element.children:
            if isinstance(child, _NOT_TEXT):
                continue
            if isinstance(child, NavigableString):
                self.loose.append(str(child))
            elif isinstance(child, Tag):
                self.element(child)

    def element(self, tag: Tag) -> None:
        name = tag.name
        if name in _HEADINGS:
            self.flush()
            self.builder.heading(_text(tag), anchor=_anchor(tag))
        elif name in _PARAGRAPHS:
            self.flush()
            self.builder.paragraph(_text(tag))
        elif name == "li":
            self.flush()
            nested = tag.find_all(["ul", "ol"], recursive=False)
            for sub in nested:
                sub.extract()
            self.builder.paragraph(_text(tag), "list_item")
            for sub in nested:
                self.walk(sub)
        elif name == "table":
            self.flush()
            self.table(tag)
        elif name == "br":
            self.loose.append(" ")
        elif name in ("a", "span", "strong", "em", "b", "i", "u", "small", "sup", "sub",
                      "abbr", "code", "mark", "cite", "q", "time", "s", "del", "ins"):
            self.loose.append(_text(tag))
        else:  # a container (div, section, article, ul, blockquote …)
            self.flush()
            self.walk(tag)
            self.flush()

    def table(self, table: Tag) -> None:
        header: tuple[str, ...] = ()
        for row in table.find_all("tr"):
            cells = [clean(_text(c)) for c in row.find_all(["th", "td"], recursive=False)]
            if not header and row.find("th") and not row.find("td"):
                header = tuple(cells)
                continue
            self.builder.table_row(cells, header)


def read(data: bytes) -> Extracted:
    soup = BeautifulSoup(decode_utf8(data), "html.parser")
    title = clean(soup.title.get_text()) if soup.title else ""
    main = _main(soup)
    _strip_boilerplate(main)
    walker = _Walker()
    walker.walk(main)
    walker.flush()
    h1 = main.find("h1") if isinstance(main, Tag) else None
    if isinstance(h1, Tag) and clean(_text(h1)):  # beats "Article | Site name"
        title = clean(_text(h1))
    return Extracted(walker.builder.text, tuple(walker.builder.blocks), title,
                     format="html")
