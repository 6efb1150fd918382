"""Pictures drawn on the server as SVG: bar charts and a world map shaded by practice counts.

Each picture is a link map (bars and countries lead to the filtered list) and comes with a table of
the same numbers, so it reads without sight and without JavaScript. The country outlines are
@svg-maps/world 2.0.0 (CC BY 4.0), vendored in static/vendor/.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WORLD = Path(settings.BASE_DIR) / "static" / "vendor" / "svg-maps-world-2.0.0" / "world.json"

# Countries with no practice, then light to dark for growing counts.
NONE = "#e3e7ea"
SHADES = ("#b9d3e0", "#7fb0c9", "#3f86a8", "#0b5877", "#062f41")


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    url: str = ""


def bar_chart(bars: list[Bar], *, title: str, unit: str = "") -> SafeString:
    """A horizontal bar chart; each bar links to `url` when given."""
    height_per_bar, label_width, width = 28, 300, 680
    top = 8
    height = top + height_per_bar * len(bars) + 8
    longest = max((bar.value for bar in bars), default=0) or 1
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="group" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for index, bar in enumerate(bars):
        y = top + index * height_per_bar
        length = round((width - label_width - 60) * bar.value / longest)
        label = escape(bar.label if len(bar.label) <= 36 else bar.label[:34] + "…")
        item = (
            f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end" '
            f'class="chart-label">{label}</text>'
            f'<rect x="{label_width}" y="{y + 4}" width="{max(length, 2)}" height="18" '
            'class="chart-bar"/>'
            f'<text x="{label_width + length + 6}" y="{y + 17}" '
            f'class="chart-value">{bar.value}</text>'
        )
        if bar.url:
            tip = f"{escape(bar.label)}: {bar.value} {escape(unit)}"
            item = f'<a href="{escape(bar.url)}"><title>{tip}</title>{item}</a>'
        parts.append(item)
    parts.append("</svg>")
    return mark_safe("".join(parts))


@lru_cache(maxsize=1)
def _world() -> dict:
    return json.loads(WORLD.read_text(encoding="utf-8"))


def _step(count: int, highest: int) -> int:
    return min(len(SHADES) - 1, (len(SHADES) * (count - 1)) // max(highest, 1))


def shade(count: int, highest: int) -> str:
    if count <= 0 or highest <= 0:
        return NONE
    return SHADES[_step(count, highest)]


def world_map(
    counts: dict[str, int], iso2_to_iso3: dict[str, str], *, link: str, title: str
) -> SafeString:
    """Countries shaded by `counts` (ISO alpha-3 -> number); each country with a count links to
    `link` with its code appended (e.g. '/practices/?country=')."""
    world = _world()
    highest = max(counts.values(), default=0)
    parts = [
        f'<svg class="world-map" viewBox="{world["viewBox"]}" role="group" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for location in world["locations"]:
        iso3 = iso2_to_iso3.get(location["id"].upper(), "")
        count = counts.get(iso3, 0)
        tip = f"{escape(location['name'])}: {count}"
        fill = shade(count, highest)
        path = f'<path d="{location["path"]}" fill="{fill}"><title>{tip}</title></path>'
        if count and iso3:
            path = f'<a href="{escape(link)}{iso3}">{path}</a>'
        parts.append(path)
    parts.append("</svg>")
    return mark_safe("".join(parts))


def legend(highest: int) -> list[tuple[str, str]]:
    """(colour, range of counts) for each shade the map uses, the same bins as `shade()`."""
    rows: dict[int, list[int]] = {}
    for count in range(1, highest + 1):
        rows.setdefault(_step(count, highest), []).append(count)
    legend_rows = [(NONE, "0")]
    for step, counts in sorted(rows.items()):
        low, high = counts[0], counts[-1]
        legend_rows.append((SHADES[step], f"{low}" if low == high else f"{low}–{high}"))
    return legend_rows
