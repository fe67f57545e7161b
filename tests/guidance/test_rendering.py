import re
from html.parser import HTMLParser

import pytest

from guidance.rendering import plain_text, render_markdown, strip_markup

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<svg/onload=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    '![x](https://example.org/x.png" onerror="alert(1))',
    '<iframe src="https://evil.example"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<body onload="alert(1)">',
    '<a href="https://ok.example" onclick="steal()">link</a>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<<script>script>alert(1)<</script>/script>",
    '<form action="https://evil.example"><input name=x></form>',
    "<object data=javascript:alert(1)></object>",
    "<!--<img src=x onerror=alert(1)>-->",
    '[x](https://ok.example "title\\" onmouseover=\\"alert(1)")',
]

SAFE_TAGS = {"p", "a", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "br"}


class _Tags(HTMLParser):
    """Every real tag and attribute in a fragment, as a browser would see them."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _problems(html: str) -> list[str]:
    parser = _Tags()
    parser.feed(html)
    problems = []
    for tag, attrs in parser.tags:
        if tag not in SAFE_TAGS:
            problems.append(f"tag {tag}")
        for name, value in attrs.items():
            if name.startswith("on") or name in {"style", "src"}:
                problems.append(f"attribute {name}")
            if name == "href" and not re.match(r"(https?|mailto):", value or "", re.I):
                problems.append(f"href {value}")
    return problems


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_rendering_neutralises_the_xss_payload(payload):
    html = render_markdown(f"Before\n\n{payload}\n\nafter")
    assert _problems(html) == [], html


def test_the_xss_check_itself_spots_a_live_payload():
    assert _problems('<p><img src=x onerror="alert(1)"><a href="javascript:x">y</a></p>')


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_import_sanitising_leaves_no_tags_in_the_markdown(payload):
    cleaned = strip_markup(payload)
    assert not re.search(r"<\s*[a-z!/]", cleaned, re.I), cleaned
    assert not re.search(r"<\s*script", render_markdown(cleaned), re.I)


def test_links_get_rel_noopener():
    html = render_markdown("[NPSA](https://www.npsa.gov.uk/)")
    assert 'href="https://www.npsa.gov.uk/"' in html
    assert 'rel="noopener noreferrer"' in html


def test_markdown_formatting_survives_sanitising():
    html = render_markdown(
        "## Heading\n\n- **bold** item\n\n> quoted\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    for tag in ("<h2>", "<li>", "<strong>", "<blockquote>", "<table>", "<td>"):
        assert tag in html


def test_plain_text_drops_tags_and_decodes_entities():
    assert plain_text("  <b>Export</b> &amp; <script>x()</script>control  ") == "Export & control"
