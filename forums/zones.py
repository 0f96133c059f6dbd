"""Which IANA time zones a country has: the one home of "the venue's zone follows its country".

Read from the tz database's own `zone.tab`, as shipped in the `tzdata` package (pinned in
uv.lock, where icalendar requires it on every platform): it lists, for each ISO 3166
country, the zones that keep its clocks. Reading the system's /usr/share would make the
answer depend on the machine; a table written here would go stale.
"""

import functools
from importlib import resources


@functools.cache
def zones_by_country() -> dict[str, tuple[str, ...]]:
    """Each ISO 3166 alpha-2 code with its zones, in zone.tab's order (most populous first)."""
    table = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    zones: dict[str, list[str]] = {}
    for line in table.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        # country code, coordinates, zone name, then an optional comment
        code, _coordinates, zone, *_comment = line.split("\t")
        zones.setdefault(code, []).append(zone)
    return {code: tuple(names) for code, names in zones.items()}


def zones_of(country: object) -> tuple[str, ...]:
    """The zones of `country` (an ISO 3166 code); empty for none or an unknown code."""
    return zones_by_country().get(str(country or "").upper(), ())
