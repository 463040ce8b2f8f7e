"""Country codes: the settings speak ISO-2, UIS, OECD and the World Bank ISO-3."""

import pycountry

from pipeline.settings import Settings


def iso3(codes: tuple[str, ...]) -> list[str]:
    """ISO-2 codes (validated by the settings) → their ISO-3 codes, in order."""
    return [pycountry.countries.get(alpha_2=c).alpha_3 for c in codes]


def mobility_countries(settings: Settings) -> tuple[list[str], list[str]]:
    """(origins, destinations) in ISO-3 for the student-mobility sources: the focus countries are origins;
    every configured country (focus included) is a destination, so CN→US and US→CN both come in."""
    destinations = tuple(dict.fromkeys(settings.mobility_countries + settings.focus))
    return iso3(settings.focus), iso3(destinations)
