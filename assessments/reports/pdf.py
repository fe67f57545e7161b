"""Rendering report templates to PDF with WeasyPrint, with a CJK font so any partner name shows."""

import threading

from django.conf import settings
from django.template.loader import render_to_string

# Found through fontconfig by family name; Debian package fonts-wqy-microhei.
CJK_FONT_FAMILY = "WenQuanYi Micro Hei"

# WeasyPrint's font configuration (fontconfig and Pango's font map, with every face it has
# loaded) and its image cache, kept between renders instead of rebuilt for each PDF. One per
# thread: Pango's font map is not meant to be shared between threads.
_weasyprint = threading.local()


def _font_config():
    config = getattr(_weasyprint, "font_config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _weasyprint.font_config = FontConfiguration()
        _weasyprint.cache = {}
    return config


def pdf_render(template_name: str, context: dict) -> bytes:
    """Render a template to PDF bytes; static and font URLs resolve against the project folder."""
    from weasyprint import HTML

    html = render_to_string(template_name, {**context, "cjk_font_family": CJK_FONT_FAMILY})
    font_config = _font_config()
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        font_config=font_config, cache=_weasyprint.cache
    )
