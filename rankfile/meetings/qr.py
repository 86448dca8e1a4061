"""QR codes drawn on the server (an SVG, no outside service), for a member's door code."""

from __future__ import annotations

import qrcode
import qrcode.constants
from qrcode.image.svg import SvgPathFillImage


def qr_svg(text: str, *, label: str) -> str:
    """An ``<svg>`` element drawing ``text`` as a QR code, with ``label`` for screen readers.

    Black on white with the quiet zone the standard asks for, so a phone's
    camera reads it in a dark theme too. The markup is ours (no input but the
    code's text, which only becomes modules), safe to put in a page as is.
    """
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4,
                         image_factory=SvgPathFillImage)
    code.add_data(text)
    code.make(fit=True)
    svg = code.make_image().to_string(encoding="unicode")
    safe_label = (label.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                  .replace('"', "&quot;"))
    return svg.replace("<svg ", f'<svg role="img" aria-label="{safe_label}" class="qr" ', 1)
