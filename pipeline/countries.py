"""Country codes: the settings speak ISO-2, UIS, OECD and the World Bank ISO-3."""

import pycountry


def iso3(codes: tuple[str, ...]) -> list[str]:
    """ISO-2 codes (validated by the settings) → their ISO-3 codes, in order."""
    return [pycountry.countries.get(alpha_2=c).alpha_3 for c in codes]
