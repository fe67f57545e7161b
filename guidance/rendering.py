"""Markdown to safe HTML, and the plain-text clean-up applied to everything imported."""

import html
import re
from html.parser import HTMLParser

import markdown
import nh3

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "dd",
    "dl",
    "dt",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}
URL_SCHEMES = {"http", "https", "mailto"}


def _markdown() -> markdown.Markdown:
    md = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
    # Raw HTML in the source is shown as text, never passed through: nh3 is the second wall.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


def sanitise_html(fragment: str) -> str:
    """Keep only the allowed tags and attributes; links get rel="noopener noreferrer"."""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render_markdown(source: str) -> str:
    """Render guidance Markdown to HTML that is safe to show to anyone."""
    return sanitise_html(_markdown().convert(source or ""))


class _TagStripper(HTMLParser):
    """Keeps text and entity references verbatim; drops tags, and script/style contents."""

    _DROP_CONTENT = {"script", "style", "iframe", "object", "template", "noscript"}

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.parts: list[str] = []
        self._dropping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._DROP_CONTENT:
            self._dropping += 1

    def handle_endtag(self, tag):
        if tag in self._DROP_CONTENT and self._dropping:
            self._dropping -= 1

    def handle_data(self, data):
        if not self._dropping:
            self.parts.append(data)

    def handle_entityref(self, name):
        if not self._dropping:
            self.parts.append(f"&{name};")

    def handle_charref(self, name):
        if not self._dropping:
            self.parts.append(f"&#{name};")


_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")


def _strip_once(text: str) -> str:
    stripper = _TagStripper()
    stripper.feed(text)
    stripper.close()
    return "".join(stripper.parts)


def strip_markup(text: str) -> str:
    """Remove every HTML tag (and script contents) from text, keeping the rest as written."""
    text = text or ""
    for _ in range(5):  # nested tricks such as <<script>script> need more than one pass
        stripped = _strip_once(text)
        if stripped == text:
            break
        text = stripped
    # Whatever still looks like the start of a tag becomes an entity: shown, never parsed.
    return _TAG_START.sub("&lt;", text)


def plain_text(text: str) -> str:
    """A single-line plain-text field from untrusted input: no tags, entities decoded."""
    return " ".join(html.unescape(strip_markup(text)).split())
