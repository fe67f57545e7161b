"""Rendering report templates to PDF with WeasyPrint, with a CJK font so any partner name shows."""

from django.conf import settings
from django.template.loader import render_to_string

# Found through fontconfig by family name; Debian package fonts-wqy-microhei.
CJK_FONT_FAMILY = "WenQuanYi Micro Hei"


def pdf_render(template_name: str, context: dict) -> bytes:
    """Render a template to PDF bytes; static and font URLs resolve against the project folder."""
    from weasyprint import HTML

    html = render_to_string(template_name, {**context, "cjk_font_family": CJK_FONT_FAMILY})
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
