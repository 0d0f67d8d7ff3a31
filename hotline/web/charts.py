"""Charts as inline SVG, drawn on the server: no CDN, no JavaScript, readable without
colour (every bar is labelled with its value) and printable. Each chart on a page sits next
to the table it draws, so screen readers get the table."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from hotline.reports import fmt

BAR = "#2f6f9f"
MUTED = "#9db7cc"


def hbars(
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    locale: str = "vi",
    width: int = 560,
    row: int = 22,
    label_width: int = 200,
) -> Markup:
    """Horizontal bars: one row per (label, value)."""
    top = max((v for _, v in items), default=0) or 1
    height = row * max(len(items), 1) + 8
    plot = width - label_width - 70
    parts = [_open(width, height, title)]
    for i, (label, value) in enumerate(items):
        y = 4 + i * row
        w = max(plot * value / top, 1 if value else 0)
        parts.append(
            f'<text x="{label_width - 6}" y="{y + row * 0.68:.1f}" text-anchor="end" '
            f'font-size="11">{escape(_clip(label, 34))}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{w:.1f}" height="{row - 7}" '
            f'fill="{BAR}"><title>{escape(label)}: {fmt.number(value, locale)}</title></rect>'
            f'<text x="{label_width + w + 4:.1f}" y="{y + row * 0.68:.1f}" font-size="12">'
            f"{fmt.number(value, locale)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def columns(
    values: Sequence[float],
    labels: Sequence[str],
    *,
    title: str,
    locale: str = "vi",
    width: int = 560,
    height: int = 180,
) -> Markup:
    """Vertical columns (calls by hour of day); every third label shown."""
    top = max(values, default=0) or 1
    n = max(len(values), 1)
    step = (width - 20) / n
    base = height - 20
    parts = [_open(width, height, title)]
    for i, (value, label) in enumerate(zip(values, labels, strict=True)):
        h = (base - 10) * value / top
        x = 10 + i * step
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{base - h:.1f}" width="{step - 2:.1f}" height="{h:.1f}" '
            f'fill="{BAR}"><title>{escape(label)}: {fmt.number(value, locale)}</title></rect>'
        )
        if i % 3 == 0:
            parts.append(
                f'<text x="{x + step / 2:.1f}" y="{height - 5}" font-size="11" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    parts.append(
        f'<line x1="10" x2="{width - 10}" y1="{base}" y2="{base}" stroke="{MUTED}"/></svg>'
    )
    return Markup("".join(parts))


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
        f'class="chart">'
        f"<title>{escape(title)}</title>"
    )


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
