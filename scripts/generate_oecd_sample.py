"""Write the bundled OECD SDMX sample (pipeline/sample_data/oecd/): deterministic, SYNTHETIC values.

The files are shaped as the answers of the OECD SDMX REST API (sdmx.oecd.org/public/rest/), which
runs the .Stat Suite "NSI Web Service"; no recording of that API for this dataflow exists
(shared/fixtures/real/PROVENANCE.md §4b), so the shapes follow:

* structure messages: SDMX-ML 2.1, as in the real OECD content constraint recorded by sdmx1's test
  data (khaeru/sdmx-test-data OECD/actualconstraint-0.xml, NSI Web Service v8.18.2.0) and a real
  NSI answer to ``dataflow/.../latest?references=datastructure`` (same repository,
  recorded/2556f1775294929a.json, NSI v9.11);
* the data answer: SDMX-CSV 1.0 as ``format=csvfile`` returns it (first column ``DATAFLOW`` holding
  ``AGENCY:DSD@DF(VERSION)``, then dimension ids in DSD order, TIME_PERIOD, OBS_VALUE, attributes;
  CRLF line ends as in the real OECD csvfilewithlabels answer printed in
  m-mcmain/m-mcmain.github.io, "_pages/Econ_390_mds/Econ_390 Lecture 17 - Additional APIs_full.md").

The dataflow id and every code below are ASSUMPTIONS (see the README written next to the files).
Run: ``python scripts/generate_oecd_sample.py`` (rewrites the files; output is byte-for-byte stable).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from assets.oecd.client import AGENCY, DEFAULT_DATAFLOW, EXPECTED_DIMENSIONS, FILTER_CODES
from assets.oecd.sample import SAMPLE_DIR, constraint_file, data_file, structure_file

VERSION = "1.0"
DSD_ID = DEFAULT_DATAFLOW.split("@")[0]
DECOY = "DSD_EAG_UOE_NON_FIN_STUD@DF_UOE_NF_SHARE_MOBILE"  # assumed id: a mobility flow without origins
VALID_FROM = "2025-09-09T08:12:41.503Z"
DECOY_VALID_FROM = "2025-09-09T08:10:02.117Z"
PREPARED = "2026-01-15T10:00:00.0000000+01:00"

# (id, English name, French name). SHARE_GENDER, DIST_VET and ENRL_RATE are ids seen in public
# queries against the real API; the two mobility flows and all names are assumptions.
DATAFLOWS = (
    (
        "DSD_EAG_UOE_NON_FIN_STUD@DF_UOE_NF_SHARE_GENDER",
        "Share of enrolled students, new entrants and graduates by gender",
        "Part des effectifs, des nouveaux inscrits et des diplômés, selon le sexe",
    ),
    (
        "DSD_EAG_UOE_NON_FIN_STUD@DF_UOE_NF_DIST_VET",
        "Distribution of upper secondary vocational students",
        "Répartition des élèves en filière professionnelle",
    ),
    (
        "DSD_EAG_UOE_NON_FIN_STUD@DF_UOE_NF_ENRL_RATE",
        "Enrolment rates by age",
        "Taux de scolarisation selon l'âge",
    ),
    (
        DECOY,
        "Share of international and foreign students in tertiary education",
        "Part des étudiants en mobilité internationale et étrangers dans l'enseignement tertiaire",
    ),
    (
        DEFAULT_DATAFLOW,
        "International and foreign students by country of origin",
        "Étudiants en mobilité internationale et étrangers selon le pays d'origine",
    ),
)
ATTRIBUTES = ("OBS_STATUS", "UNIT_MULT", "DECIMALS")
# Codes of the dimensions the client leaves as wildcards (all assumed).
OTHER_CODES = {
    "EDUCATION_TYPE": "_T",
    "INTENSITY": "_T",
    "EDUCATION_FIELD": "_T",
    "GRADE": "_Z",
    "DESTINATION": "_Z",
}
DESTINATIONS = ("USA", "GBR", "AUS", "CAN", "JPN", "DEU", "FRA", "KOR")
ORIGINS = ("CHN", "IND", "KOR", "USA")
YEARS = tuple(range(2013, 2023))

# China -> USA, calibrated close to the figures in the brief (OECD counts "international" students).
CHN_USA = (235_112, 261_086, 291_047, 312_133, 327_208, 342_061, 345_190, 318_054, 290_117, 278_036)
# Other series: (2013, 2019 peak, 2022), roughly the published orders of magnitude; SYNTHETIC.
SERIES = {
    ("CHN", "GBR"): (89_540, 120_385, 151_690),
    ("CHN", "AUS"): (87_890, 152_520, 133_310),
    ("CHN", "CAN"): (62_410, 102_090, 86_760),
    ("CHN", "JPN"): (77_280, 94_960, 100_340),
    ("CHN", "DEU"): (25_560, 40_120, 41_890),
    ("CHN", "FRA"): (29_610, 28_440, 27_120),
    ("CHN", "KOR"): (35_280, 67_030, 58_710),
    ("IND", "USA"): (101_660, 193_120, 199_180),
    ("IND", "GBR"): (19_250, 26_690, 96_400),
    ("IND", "AUS"): (35_730, 73_380, 65_150),
    ("IND", "CAN"): (26_850, 124_970, 183_310),
    ("IND", "JPN"): (690, 1_490, 1_560),
    ("IND", "DEU"): (8_850, 20_560, 33_750),
    ("IND", "FRA"): (2_680, 5_030, 6_290),
    ("IND", "KOR"): (520, 1_110, 1_480),
    ("KOR", "USA"): (71_850, 50_520, 43_850),
    ("KOR", "GBR"): (4_910, 4_220, 4_070),
    ("KOR", "AUS"): (6_230, 6_070, 5_220),
    ("KOR", "CAN"): (6_880, 5_640, 4_910),
    ("KOR", "JPN"): (17_090, 16_060, 14_470),
    ("KOR", "DEU"): (5_440, 6_790, 6_210),
    ("KOR", "FRA"): (1_920, 2_330, 2_490),
    ("USA", "GBR"): (16_320, 19_530, 22_130),
    ("USA", "AUS"): (4_030, 4_360, 2_980),
    ("USA", "CAN"): (8_670, 9_120, 8_350),
    ("USA", "JPN"): (2_180, 2_870, 1_520),
    ("USA", "DEU"): (4_990, 6_010, 5_460),
    ("USA", "FRA"): (4_760, 5_570, 5_120),
    ("USA", "KOR"): (2_870, 2_520, 2_150),
}
ABSENT = {("CHN", "FRA", 2022), ("IND", "KOR", 2013), ("IND", "KOR", 2014)}  # no row at all
MISSING = {("USA", "JPN", 2016): "", ("KOR", "AUS", 2021): "NaN"}  # row with OBS_STATUS M, no value
ESTIMATED = {("CHN", "DEU", 2013), ("CHN", "DEU", 2014)}  # OBS_STATUS E


def series_values(origin: str, destination: str) -> tuple[int, ...]:
    """Ten yearly values 2013-2022: linear rise to 2019, a COVID dip, then the 2022 anchor."""
    if (origin, destination) == ("CHN", "USA"):
        return CHN_USA
    first, peak, last = SERIES[(origin, destination)]
    rise = [first + (peak - first) * i / 6 for i in range(7)]  # 2013..2019
    dip_2020 = peak * 0.92
    dip_2021 = min(peak, last) * 0.9
    return tuple(round(v) for v in (*rise, dip_2020, dip_2021, last))


def observations() -> list[dict[str, str]]:
    rows = []
    for destination in DESTINATIONS:
        for origin in ORIGINS:
            if origin == destination:
                continue
            for year, value in zip(YEARS, series_values(origin, destination), strict=True):
                cell = (origin, destination, year)
                if cell in ABSENT:
                    continue
                status = "M" if cell in MISSING else "E" if cell in ESTIMATED else "A"
                dims = {
                    **OTHER_CODES,
                    **FILTER_CODES,
                    "REF_AREA": destination,
                    "ORIGIN": origin,
                }
                rows.append(
                    {
                        **{d: dims[d] for d in EXPECTED_DIMENSIONS},
                        "TIME_PERIOD": str(year),
                        "OBS_VALUE": MISSING.get(cell, str(value)),
                        "OBS_STATUS": status,
                        "UNIT_MULT": "0",
                        "DECIMALS": "0",
                    }
                )
    return rows


# ----------------------------------------------------------------------------------- writers
NAMESPACES = (
    'xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" '
    'xmlns:structure="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure" '
    'xmlns:common="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"'
)


def structure_message(header_id: str, body: str) -> str:
    """An SDMX-ML 2.1 structure message as the NSI Web Service writes it (CRLF, 2-space indent)."""
    text = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        "<!--NSI Web Service v8.18.2.0-->\n"
        f"<message:Structure {NAMESPACES}>\n"
        "  <message:Header>\n"
        f"    <message:ID>{header_id}</message:ID>\n"
        "    <message:Test>false</message:Test>\n"
        f"    <message:Prepared>{PREPARED}</message:Prepared>\n"
        '    <message:Sender id="Unknown" />\n'
        '    <message:Receiver id="Unknown" />\n'
        "  </message:Header>\n"
        "  <message:Structures>\n"
        f"{body}"
        "  </message:Structures>\n"
        "</message:Structure>"
    )
    return text.replace("\n", "\r\n")


def dataflow_element(flow_id: str, name_en: str, name_fr: str) -> str:
    return (
        f'      <structure:Dataflow id="{flow_id}" agencyID="{AGENCY}" version="{VERSION}" isFinal="false">\n'
        f'        <common:Name xml:lang="en">{escape(name_en)}</common:Name>\n'
        f'        <common:Name xml:lang="fr">{escape(name_fr)}</common:Name>\n'
        "        <structure:Structure>\n"
        f'          <Ref id="{DSD_ID}" version="{VERSION}" agencyID="{AGENCY}" package="datastructure" '
        'class="DataStructure" />\n'
        "        </structure:Structure>\n"
        "      </structure:Dataflow>\n"
    )


def dataflow_listing() -> str:
    flows = "".join(dataflow_element(*flow) for flow in DATAFLOWS)
    return structure_message("IDREF1042", f"    <structure:Dataflows>\n{flows}    </structure:Dataflows>\n")


def concept(component: str) -> str:
    return (
        "              <structure:ConceptIdentity>\n"
        f'                <Ref id="{component}" maintainableParentID="CS_EAG" maintainableParentVersion="1.0" '
        f'agencyID="{AGENCY}" package="conceptscheme" class="Concept" />\n'
        "              </structure:ConceptIdentity>\n"
    )


def enumeration(component: str) -> str:
    codelist = {"REF_AREA": "CL_AREA", "ORIGIN": "CL_AREA", "DESTINATION": "CL_AREA"}.get(component, f"CL_{component}")
    return (
        "              <structure:LocalRepresentation>\n"
        "                <structure:Enumeration>\n"
        f'                  <Ref id="{codelist}" version="1.0" agencyID="{AGENCY}" package="codelist" '
        'class="Codelist" />\n'
        "                </structure:Enumeration>\n"
        "              </structure:LocalRepresentation>\n"
    )


def datastructure_answer() -> str:
    """The answer to dataflow/{agency}/{id}/{version}?references=datastructure."""
    name_en, name_fr = next((en, fr) for fid, en, fr in DATAFLOWS if fid == DEFAULT_DATAFLOW)
    dims = "".join(
        f'            <structure:Dimension id="{d}" position="{i}">\n{concept(d)}{enumeration(d)}'
        "            </structure:Dimension>\n"
        for i, d in enumerate(EXPECTED_DIMENSIONS, start=1)
    )
    time_dim = (
        f'            <structure:TimeDimension id="TIME_PERIOD" position="{len(EXPECTED_DIMENSIONS) + 1}">\n'
        f"{concept('TIME_PERIOD')}"
        "              <structure:LocalRepresentation>\n"
        '                <structure:TextFormat textType="ObservationalTimePeriod" />\n'
        "              </structure:LocalRepresentation>\n"
        "            </structure:TimeDimension>\n"
    )
    attrs = "".join(
        f'            <structure:Attribute id="{a}" assignmentStatus="Conditional">\n{concept(a)}'
        "              <structure:AttributeRelationship>\n"
        "                <structure:PrimaryMeasure>\n"
        '                  <Ref id="OBS_VALUE" />\n'
        "                </structure:PrimaryMeasure>\n"
        "              </structure:AttributeRelationship>\n"
        "            </structure:Attribute>\n"
        for a in ATTRIBUTES
    )
    body = (
        "    <structure:Dataflows>\n"
        f"{dataflow_element(DEFAULT_DATAFLOW, name_en, name_fr)}"
        "    </structure:Dataflows>\n"
        "    <structure:DataStructures>\n"
        f'      <structure:DataStructure id="{DSD_ID}" agencyID="{AGENCY}" version="{VERSION}" isFinal="false">\n'
        '        <common:Name xml:lang="en">Education at a Glance - UOE non-finance students</common:Name>\n'
        "        <structure:DataStructureComponents>\n"
        '          <structure:DimensionList id="DimensionDescriptor">\n'
        f"{dims}{time_dim}"
        "          </structure:DimensionList>\n"
        '          <structure:AttributeList id="AttributeDescriptor">\n'
        f"{attrs}"
        "          </structure:AttributeList>\n"
        '          <structure:MeasureList id="MeasureDescriptor">\n'
        '            <structure:PrimaryMeasure id="OBS_VALUE">\n'
        f"{concept('OBS_VALUE')}"
        "            </structure:PrimaryMeasure>\n"
        "          </structure:MeasureList>\n"
        "        </structure:DataStructureComponents>\n"
        "      </structure:DataStructure>\n"
        "    </structure:DataStructures>\n"
    )
    return structure_message("IDREF1043", body)


def constraint_answer(flow_id: str, valid_from: str, cube: dict[str, list[str]], obs_count: int, years: range) -> str:
    """contentconstraint/{agency}/CR_A_{flow}/, shaped like the real OECD actual constraint."""
    key_values = "".join(
        f'          <common:KeyValue id="{dim}">\n'
        + "".join(f"            <common:Value>{escape(v)}</common:Value>\n" for v in values)
        + "          </common:KeyValue>\n"
        for dim, values in cube.items()
    )
    time_range = (
        '          <common:KeyValue id="TIME_PERIOD">\n'
        "            <common:TimeRange>\n"
        f'              <common:StartPeriod isInclusive="true">{years.start}-01-01T00:00:00</common:StartPeriod>\n'
        f'              <common:EndPeriod isInclusive="true">{years.stop - 1}-12-31T00:00:00</common:EndPeriod>\n'
        "            </common:TimeRange>\n"
        "          </common:KeyValue>\n"
    )
    name = escape(f"Availability (A) for {flow_id}")
    body = (
        "    <structure:Constraints>\n"
        f'      <structure:ContentConstraint id={quoteattr("CR_A_" + flow_id)} agencyID="{AGENCY}" '
        f'version="1.0" validFrom="{valid_from}" isFinal="false" type="Actual">\n'
        "        <common:Annotations>\n"
        "          <common:Annotation>\n"
        "            <common:AnnotationTitle>A</common:AnnotationTitle>\n"
        "            <common:AnnotationType>ReleaseVersion</common:AnnotationType>\n"
        "          </common:Annotation>\n"
        '          <common:Annotation id="obs_count">\n'
        f"            <common:AnnotationTitle>{obs_count}</common:AnnotationTitle>\n"
        "            <common:AnnotationType>sdmx_metrics</common:AnnotationType>\n"
        "          </common:Annotation>\n"
        "        </common:Annotations>\n"
        f'        <common:Name xml:lang="en">{name}</common:Name>\n'
        "        <structure:ConstraintAttachment>\n"
        "          <structure:Dataflow>\n"
        f'            <Ref id="{flow_id}" version="{VERSION}" agencyID="{AGENCY}" package="datastructure" '
        'class="Dataflow" />\n'
        "          </structure:Dataflow>\n"
        "        </structure:ConstraintAttachment>\n"
        '        <structure:CubeRegion include="true">\n'
        f"{key_values}{time_range}"
        "        </structure:CubeRegion>\n"
        "      </structure:ContentConstraint>\n"
        "    </structure:Constraints>\n"
    )
    return structure_message("IDREF1044", body)


def data_csv(rows: list[dict[str, str]]) -> str:
    """SDMX-CSV 1.0 (format=csvfile): DATAFLOW, dimensions, TIME_PERIOD, OBS_VALUE, attributes."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    columns = [*EXPECTED_DIMENSIONS, "TIME_PERIOD", "OBS_VALUE", *ATTRIBUTES]
    writer.writerow(["DATAFLOW", *columns])
    structure = f"{AGENCY}:{DEFAULT_DATAFLOW}({VERSION})"
    for row in rows:
        writer.writerow([structure, *(row[c] for c in columns)])
    return out.getvalue()


def cube_of(rows: list[dict[str, str]]) -> dict[str, list[str]]:
    """The actual constraint: per dimension, the codes that have data (sorted, as NSI lists them)."""
    return {d: sorted({r[d] for r in rows}) for d in EXPECTED_DIMENSIONS}


def decoy_cube() -> dict[str, list[str]]:
    """A share-of-mobile-students flow: mobility breakdowns but no countries of origin."""
    return {
        "REF_AREA": sorted(DESTINATIONS),
        "EDUCATION_LEV": ["ISCED11_5T8", "ISCED11_6", "ISCED11_7", "ISCED11_8"],
        "MEASURE": ["ENRL"],
        "EDUCATION_TYPE": ["_T"],
        "INTENSITY": ["_T"],
        "EDUCATION_FIELD": ["_T"],
        "GRADE": ["_Z"],
        "FREQ": ["A"],
        "ORIGIN": ["_Z"],
        "DESTINATION": ["_Z"],
        "INST_TYPE_EDU": ["INST_EDU"],
        "MOBILITY": ["FOREIGN", "INTL"],
        "UNIT_MEASURE": ["PT_ENRL"],
        "SEX": ["_T"],
        "AGE": ["_T"],
    }


def main(directory: Path = SAMPLE_DIR) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    rows = observations()
    files = {
        "dataflow.xml": dataflow_listing(),
        structure_file(DEFAULT_DATAFLOW): datastructure_answer(),
        constraint_file(DEFAULT_DATAFLOW): constraint_answer(
            DEFAULT_DATAFLOW, VALID_FROM, cube_of(rows), len(rows), range(YEARS[0], YEARS[-1] + 1)
        ),
        constraint_file(DECOY): constraint_answer(DECOY, DECOY_VALID_FROM, decoy_cube(), 1_184, range(2013, 2023)),
        data_file(DEFAULT_DATAFLOW): data_csv(rows),
    }
    for name, text in files.items():
        (directory / name).write_bytes(text.encode("utf-8"))
        print(f"wrote {directory / name}")


if __name__ == "__main__":
    main()
