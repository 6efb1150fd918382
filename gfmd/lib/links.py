"""Record URLs without resolving the URL configuration for each one.

`reverse()` walks the URL patterns on every call; a list of 25 practices with their themes and
countries calls it a hundred times or more. A URL keyed by one value is the same pattern with the
value put in, so the pattern is reversed once (per view name and script prefix) and then filled.
"""

from __future__ import annotations

from urllib.parse import quote

from django.urls import get_script_prefix, reverse

# What Django's reverse() leaves unquoted in a URL (django.urls.resolvers).
SAFE = "!$&'()*+,;=/~:@"


_templates: dict[tuple[str, str], tuple[str, str]] = {}


def key_url(view_name: str, key) -> str:
    """`reverse(view_name, args=[key])`, from the pattern reversed once for the first key (a
    pattern may constrain its key, so no placeholder would do): the URL around the key is the
    same for every key, the key being the pattern's last part."""
    quoted = quote(str(key), safe=SAFE)
    template = _templates.get((view_name, get_script_prefix()))
    if template is None:
        path = reverse(view_name, args=[key])
        at = path.rfind(quoted)
        if at < 0:
            return path
        template = _templates[(view_name, get_script_prefix())] = (
            path[:at],
            path[at + len(quoted) :],
        )
    return f"{template[0]}{quoted}{template[1]}"


def absolute(request, path: str) -> str:
    """`request.build_absolute_uri(path)` for a path, with the origin worked out once."""
    if request is None:
        return path
    origin = getattr(request, "_gfmd_origin", None)
    if origin is None:
        origin = request._gfmd_origin = request.build_absolute_uri("/")[:-1]
    return origin + path
