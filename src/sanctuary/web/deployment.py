"""Whom the pages speak for: the department's name, its local time and the what-if comparisons its
oversight asks for first, read from the jurisdiction in force (jurisdictions.toml: `department`,
`department_<lang>`, `time_zone`, `whatif`), the one home of each.

Where none is configured (a jurisdiction that names no department, or profiles decided alone) the
pages, the desk's scripts and the reports say "the department", in the reader's language, and show
UTC, and the what-if page offers no comparison first; nothing a user sees names a city, a department
or a law's history the deployment has not configured.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_timezone_name

from sanctuary.policy.errors import PolicyError
from sanctuary.policy.jurisdictions import Jurisdiction, in_force, in_language, jurisdictions
from sanctuary.web import i18n
from sanctuary.web.i18n import N_, NP_

# The neutral name, as it follows "the" in a sentence ("The department will not do this").
NEUTRAL = NP_("the department the pages speak for, after 'the'", "department")


@dataclass(frozen=True)
class Deployment:
    place: Jurisdiction | None  # None: profiles alone, or jurisdictions.toml did not load
    profiles: tuple[str, ...] = ()  # the profiles in force: the place's, then those composed on top

    def department(self, lang: str) -> str:
        """The department's name in `lang` as it follows "the" ("Chicago Police Department"), or
        the neutral "department" where none is configured."""
        configured = self.place.department(lang) if self.place is not None else ""
        return configured or i18n.translations(lang).pgettext(*NEUTRAL)

    def brand(self, lang: str) -> str:
        """What every page is headed by: the department's name if configured, else the place's title."""
        words = i18n.gettext_for(lang)
        if self.place is None:
            return words(N_("Sanctuary rules"))
        name = self.place.department(lang) or (self.place.title_es if lang == "es" and self.place.title_es else self.place.title)
        return words(N_("Sanctuary rules: %(name)s")) % {"name": name}

    def often_compared(self, lang: str) -> list[tuple[str, str, str]]:
        """The what-if comparisons offered first: (profile A, profile B, what it compares, in `lang`)."""
        found = self.place.comparisons if self.place is not None else ()
        return [(c.a, c.b, in_language(c.labels, lang)) for c in found]

    def default_comparison(self) -> tuple[str, str]:
        """What the what-if page compares until another is chosen: the first comparison offered, else
        the first profile in force with itself (no difference: nothing of another place's law shown)."""
        if self.place is not None and self.place.comparisons:
            return self.place.comparisons[0].a, self.place.comparisons[0].b
        first = self.profiles[0] if self.profiles else "baseline"
        return first, first

    def local_time(self, at: datetime, lang: str) -> str:
        """`at` in the deployment's time zone, written out in `lang`, the zone named
        ("Monday, December 7, 2026, 3:37 AM (Central Time)")."""
        zone = ZoneInfo(self.place.time_zone if self.place is not None else "UTC")
        there = at.astimezone(zone)
        named = "UTC" if zone.key == "UTC" else get_timezone_name(zone, locale=lang)
        return f"{format_date(there, format='full', locale=lang)}, {format_time(there, format='short', locale=lang)} ({named})"


def deployment(jurisdiction: str | None, profiles: Sequence[str] = ()) -> Deployment:
    """The deployment deciding under `jurisdiction` or `profiles` (`jurisdictions.in_force`: with
    neither, the configured default; profiles alone: the neutral one). A jurisdictions.toml that
    does not load gives the neutral one: the policy reports it, and denies."""
    try:
        name = in_force(jurisdiction, profiles)
        place = jurisdictions().get(name) if name is not None else None
    except PolicyError:
        return Deployment(None, tuple(profiles))
    return Deployment(place, (*(place.profiles if place is not None else ()), *profiles))
