"""Whom the pages speak for comes from the deployment (jurisdictions.toml: `department`, `time_zone`):
under Chicago they name the Chicago Police Department and show Chicago's time; under another place
they name no city or law of Chicago's, and say "the department" where none is configured."""

from __future__ import annotations

import html
import re

import pytest

from sanctuary.policy.errors import PolicyError
from sanctuary.policy.jurisdictions import jurisdictions
from sanctuary.policy.profiles import available
from sanctuary.web import i18n
from test_web_pages import ICE_RELEASE_DATE, desk_post
from web_app import make_site  # noqa: F401 - fixture

# The public pages, in each language; /laws/compare is left out: it shows every place side by side.
PUBLIC = ("/", "/report", "/report/decisions", "/report/dictionary", "/laws", "/rights", "/verify", "/login", "/no-such-page")


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def shown(site, lang: str) -> str:  # noqa: ANN001 - the make_site fixture's Site
    """Every public page and a desk result (a refusal), as read, in `lang`."""
    public = site.client()
    pages = [public.get(path, params={"lang": lang}).text for path in PUBLIC]
    desk = site.client("desk")
    desk.get("/desk", params={"lang": lang})
    result = desk_post(desk, ICE_RELEASE_DATE)
    assert result.status_code == 200 and "/desk/result/" in str(result.url)
    return text_of("\n".join([*pages, result.text]))


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_california_deployment_names_no_chicago_and_says_the_department(make_site, lang: str) -> None:
    everything = shown(make_site(jurisdiction="california"), lang)
    assert "Chicago" not in everything and "Welcoming City" not in everything and "Municipal Code" not in everything
    if lang == "en":
        assert "Sanctuary rules: A California law-enforcement agency" in everything
        assert "What the department will and will not do if an immigration agency asks" in everything
        assert "The department will not do this:" in everything and "(Pacific Time)" in everything
    else:
        assert "Reglas de ciudad santuario: Una agencia policial de California" in everything
        assert "Lo que el departamento hará y no hará" in everything
        assert "El departamento no hará esto:" in everything and "(hora del Pacífico)" in everything


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_chicago_deployment_names_its_police_department_and_its_time(make_site, lang: str) -> None:
    everything = shown(make_site(jurisdiction="chicago"), lang)
    if lang == "en":
        assert "Sanctuary rules: Chicago Police Department" in everything
        assert "What the Chicago Police Department will and will not do if an immigration agency asks" in everything
        assert "The Chicago Police Department will not do this:" in everything and "(Central Time)" in everything
        assert "Municipal Code of Chicago" in everything  # its own code of law, explained
    else:
        assert "Reglas de ciudad santuario: Departamento de Policía de Chicago" in everything
        assert "Lo que el Departamento de Policía de Chicago hará y no hará" in everything
        assert "El Departamento de Policía de Chicago no hará esto:" in everything and "(hora central)" in everything


def test_profiles_alone_name_no_department_and_show_utc(make_site) -> None:
    everything = shown(make_site(["california"]), "en")
    assert "Chicago" not in everything and "Sanctuary rules ·" in everything.replace("\n", " ").replace("  ", " ")
    assert "The department will not do this:" in everything and "(UTC)" in everything


def test_a_time_zone_that_is_not_one_names_its_field(tmp_path) -> None:  # noqa: ANN001 - pytest's tmp_path
    bad = tmp_path / "jurisdictions.toml"
    bad.write_text(
        'default = "x"\n[jurisdiction.x]\ntitle = "X"\nhome_state = "IL"\nprofiles = ["chicago-2021"]\ntime_zone = "Mars/Olympus"\n'
    )
    with pytest.raises(PolicyError, match="jurisdiction.x.time_zone"):
        jurisdictions(bad)


def test_every_comparison_offered_is_of_shipped_profiles_and_said_in_every_language() -> None:
    offered = [c for place in jurisdictions().by_name.values() for c in place.comparisons]
    assert offered, "no jurisdiction offers a what-if comparison: the check below checks nothing"
    for c in offered:
        assert {c.a, c.b} <= set(available()), (c.a, c.b)
        assert all(dict(c.labels).get(lang) for lang in i18n.languages()), c


def test_the_what_if_page_starts_from_the_deployments_own_law(make_site) -> None:
    def selected(page: str) -> list[str]:
        return re.findall(r'<option value="([^"]+)" selected>', page)

    california = make_site(jurisdiction="california").client("oversight").get("/policy/whatif").text
    assert selected(california) == ["california", "california"] and "Often asked" not in california
    chicago = make_site(jurisdiction="chicago").client("oversight")
    page = chicago.get("/policy/whatif").text
    assert selected(page) == ["chicago-2019-mayoral", "chicago-2019-proposed-eo"]
    assert "2019 directive → proposed order" in page and "a=chicago-2019-proposed-eo&amp;b=chicago-2021" in page
    assert "directiva de 2019 → ordenanza de 2021" in chicago.get("/policy/whatif", params={"lang": "es"}).text
