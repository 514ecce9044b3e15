"""Fast synthetic declaration files for the benchmark, written by DuckDB (CSV) and string templates (XML).

The demo generator simulates trajectories and is far too slow for ten million lines; here every
line is valid (elfproef-valid BSNs from a pool, amount = volume x tariff), so the benchmark
measures the full path of a clean line: parse, rules, pseudonymise, stage. The lines are shaped
as real declarations are: a client is declared by one provider for one product month after month
(twelve lines a year, in the history file of that provider and municipality), so the marts' cells
(municipality, provider, product, client, year) hold twelve lines each. Until 2026-12-05 every
line had its own client, provider and month; that made each distinct-client count of the marts
group ten million cells, five to ten times the work of real data.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from foundation import reference_data

MUNICIPALITIES = ("0141", "0147", "0153", "0158", "0163", "0164", "0168", "0173", "0183", "0189")

_DIGITS = " + ".join(f"((body // {10 ** (8 - k)}) % 10) * {10 - k}" for k in range(1, 9))
POOL_SQL = f"""
CREATE TEMP TABLE bsns AS
SELECT row_number() OVER () - 1 AS n, lpad(CAST(body AS VARCHAR), 8, '0') || CAST(check_digit AS VARCHAR) AS bsn
FROM (SELECT body, ({_DIGITS}) % 11 AS check_digit
      FROM (SELECT 10000000 + (hash(i) % 89999999)::BIGINT AS body FROM range({{pool}}) r(i)))
WHERE check_digit < 10
"""
LINES_SQL = """
SELECT
    'D' || (l.i // {per_file}) AS declaratienummer,
    {provider} AS aanbieder_agb,
    {municipality} AS gemeentecode,
    b.bsn,
    'R' || l.i AS referentienummer,
    '' AS vorig_referentienummer,
    CAST(1000000 + {allocation} AS VARCHAR) AS toewijzingnummer,
    left({product}, 2) AS productcategorie,
    {product} AS productcode,
    strftime(DATE '{first_month}' + INTERVAL ({month}) MONTH, '%Y-%m-%d') AS product_begindatum,
    strftime(last_day(DATE '{first_month}' + INTERVAL ({month}) MONTH), '%Y-%m-%d') AS product_einddatum,
    CAST(1 + l.i % 12 AS VARCHAR) AS geleverd_volume,
    '04' AS eenheid,
    '9800' AS producttarief,
    CAST((1 + l.i % 12) * 9800 AS VARCHAR) AS ingediend_bedrag,
    'D' AS debet_credit,
    l.i // {per_file} AS file_no
FROM range({start}, {lines}) l(i)
JOIN bsns b ON b.n = ({allocation}) % {pool_size}  -- one client to an allocation
{join}
"""
# Who declares what, for whom. FILE_SHAPED: a file is one provider's declarations to one of ten
# municipalities, one product (the XML messages need one sender and receiver a file). NATIONAL: an
# allocation's municipality is one of all 342 (fewer below 8.5 M lines), drawn with a weight of 1/rank
# (Zipf: the largest holds about 340 times the smallest's clients, as Amsterdam does against
# Schiermonnikoog), its provider one of 20 and its product one of eight codes in four categories, each
# a hash of the allocation, so a month of continuing care keeps them. That spread gives the published
# marts the national number of cells and the small cells of small municipalities, which is what
# disclosure control's time grows with.
FILE_SHAPED = {
    "provider": "'1234' || lpad(CAST(({origin}) % 10000 AS VARCHAR), 4, '0')",
    "municipality": "['0141','0147','0153','0158','0163','0164','0168','0173','0183','0189'][({origin}) % 10 + 1]",
    "product": "'45A01'", "join": "",
}
NATIONAL = {
    "provider": "'1234' || lpad(CAST(hash(({allocation}) * 3 + 1) % 20 AS VARCHAR), 4, '0')",
    "municipality": "m.gemeentecode",
    "product": "['41A01','41A02','43A01','43A02','45A01','45A02','46A01','46A02']"
               "[CAST(hash(({allocation}) * 5 + 2) % 8 AS BIGINT) + 1]",
    "join": "JOIN slots m ON m.n = CAST(hash(({allocation}) * 7 + 3) % {slots} AS BIGINT)",
}
# 20,000 slots shared out by weight 1/rank (at least one each) over the first `municipalities` by a
# hash: all 342 from 8.5 M lines (25,000 lines, some 400 clients a year, a municipality), fewer below, so
# a small benchmark is a region with a realistic spread rather than a country of empty municipalities
LINES_PER_MUNICIPALITY = 25_000
SLOTS_SQL = """
CREATE TEMP TABLE slots AS
SELECT row_number() OVER (ORDER BY rank, k) - 1 AS n, gemeentecode FROM (
    SELECT gemeentecode, rank, unnest(range(greatest(1, round(20000 / rank / h))::BIGINT)) AS k
    FROM (SELECT *, sum(1 / rank) OVER () AS h
          FROM (SELECT gemeentecode, row_number() OVER (ORDER BY hash(gemeentecode)) AS rank
                FROM read_csv('{path}', all_varchar = true))
          WHERE rank <= {municipalities}))
"""
PRESTATIE_SQL = """
SELECT file_no, aanbieder_agb, gemeentecode,
    '<jw323:Client><jw323:Bsn>' || bsn || '</jw323:Bsn><jw323:Prestaties><jw323:Prestatie><jw323:ProductReferentie>'
    || '<ijw:ReferentieNummer>' || referentienummer || '</ijw:ReferentieNummer></jw323:ProductReferentie>'
    || '<jw323:ToewijzingNummer>' || toewijzingnummer || '</jw323:ToewijzingNummer>'
    || '<jw323:ProductCategorie>' || productcategorie || '</jw323:ProductCategorie>'
    || '<jw323:ProductCode>' || productcode || '</jw323:ProductCode><jw323:ProductPeriode>'
    || '<ijw:Begindatum>' || product_begindatum || '</ijw:Begindatum><ijw:Einddatum>' || product_einddatum
    || '</ijw:Einddatum></jw323:ProductPeriode><jw323:GeleverdVolume>' || geleverd_volume
    || '</jw323:GeleverdVolume><jw323:Eenheid>' || eenheid || '</jw323:Eenheid><jw323:ProductTarief>'
    || producttarief || '</jw323:ProductTarief><jw323:IngediendBedrag><ijw:Bedrag>' || ingediend_bedrag
    || '</ijw:Bedrag><ijw:DebetCredit>D</ijw:DebetCredit></jw323:IngediendBedrag></jw323:Prestatie>'
    || '</jw323:Prestaties></jw323:Client>' AS xml,
    CAST(ingediend_bedrag AS BIGINT) AS amount
FROM ({lines_sql}) ORDER BY file_no
"""


def history(years: int, per_file: int) -> dict[str, str]:
    """`years` of monthly declarations ending in December 2024. Lines 12a to 12a + 11 are allocation
    a: one client's twelve months of year a % years, from the provider and municipality of the file
    ("origin") the lines are written to."""
    return {"first_month": f"{2025 - years}-01-01", "month": f"12 * ((l.i // 12) % {years}) + l.i % 12",
            "allocation": "l.i // 12", "origin": f"l.i // {per_file}"}


def next_month(lines: int, per_file: int, years: int) -> dict[str, str]:
    """January 2025 for allocations of December 2024 in a history of `lines` lines in files of
    `per_file`: a month of continuing care for the same client at the same provider and municipality,
    so trajectories, flows and year-on-year figures change."""
    per_year = max(1, lines // 12 // years)
    # 7919 is prime: i * 7919 mod per_year visits each December allocation once unless it divides per_year
    if per_year % 7919 == 0:
        raise ValueError(f"{lines:,} lines give {per_year:,} allocations a year, a multiple of 7919: pick another size")
    allocation = f"(((l.i * 7919) % {per_year}) * {years} + {years - 1})"
    # the origin of the allocation's December line: an allocation may straddle two history files
    return {"first_month": "2025-01-01", "month": "0", "allocation": allocation,
            "origin": f"(({allocation}) * 12 + 11) // {per_file}"}


def _connect(lines: int) -> tuple[duckdb.DuckDBPyConnection, int]:
    con = duckdb.connect()
    con.execute(POOL_SQL.format(pool=max(1000, lines // 8)))
    con.execute(SLOTS_SQL.format(path=Path(reference_data.__file__).parent / "gemeenten.csv",
                                 municipalities=max(2, lines // LINES_PER_MUNICIPALITY)))
    return con, con.execute("SELECT count(*) FROM bsns").fetchone()[0]


def _slots(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT count(*) FROM slots").fetchone()[0]


def lines_sql(shape: dict[str, str], dates: dict[str, str], **sizes: int) -> str:
    """The SELECT of `sizes`' lines (start, lines, per_file, pool_size) in `shape`, dated by `dates`."""
    return LINES_SQL.format(**{k: v.format(**dates, **sizes) for k, v in shape.items()}, **dates, **sizes)


def write_csv_files(out: Path, lines: int, per_file: int, start: int = 0,
                    dates: dict[str, str] | None = None, history_lines: int | None = None) -> list[Path]:
    """Lines `start` to `lines` in files of `per_file` lines (DuckDB's partitioned COPY, both cores), in
    the NATIONAL shape. Lines that continue a history of `history_lines` draw their clients from that
    history's pool."""
    out.mkdir(parents=True, exist_ok=True)
    con, pool_size = _connect(history_lines or lines)
    sql = lines_sql(NATIONAL, dates or history(1, per_file), start=start, lines=lines, per_file=per_file,
                    pool_size=pool_size, slots=_slots(con))
    con.execute(f"COPY ({sql}) TO '{out}' (FORMAT csv, HEADER, PARTITION_BY (file_no), OVERWRITE_OR_IGNORE)")
    con.close()
    # flatten DuckDB's file_no=N/ folders into one drop folder
    files = []
    for part in sorted(out.glob("file_no=*/*.csv")):
        target = out / f"decl_{part.parent.name.split('=')[1]:0>5}.csv"
        part.rename(target)
        part.parent.rmdir()
        files.append(target)
    return files


def write_xml_files(out: Path, lines: int, per_file: int) -> int:
    """The same lines as JW323 messages (one Client per Prestatie), built as strings by DuckDB."""
    out.mkdir(parents=True, exist_ok=True)
    con, pool_size = _connect(lines)
    chunk = per_file * 100  # build 100 files' worth of strings at a time: bounded memory
    files = 0
    for start in range(0, lines, chunk):
        sql = PRESTATIE_SQL.format(lines_sql=lines_sql(
            FILE_SHAPED, history(1, per_file), start=start, lines=min(lines, start + chunk), per_file=per_file,
            pool_size=pool_size))
        files = _write_chunk(out, con.execute(sql), per_file, files)
    con.close()
    return files


def _write_chunk(out: Path, cursor: duckdb.DuckDBPyConnection, per_file: int, files: int) -> int:
    while rows := cursor.fetchmany(per_file):
        _, agb, muni = rows[0][:3]
        total = sum(r[4] for r in rows)
        header = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<jw323:Bericht '
            'xmlns:ijw="http://www.istandaarden.nl/ijw/3_2/basisschema/schema" '
            'xmlns:jw323="http://www.istandaarden.nl/ijw/3_2/jw323/schema"><jw323:Header>'
            "<jw323:BerichtCode>490</jw323:BerichtCode><jw323:BerichtVersie>3</jw323:BerichtVersie>"
            f"<jw323:BerichtSubversie>2</jw323:BerichtSubversie><jw323:Afzender>{agb}</jw323:Afzender>"
            f"<jw323:Ontvanger>{muni}</jw323:Ontvanger><jw323:BerichtIdentificatie><ijw:Identificatie>B{files}"
            "</ijw:Identificatie><ijw:Dagtekening>2025-01-06</ijw:Dagtekening></jw323:BerichtIdentificatie>"
            "<jw323:XsdVersie><ijw:BasisschemaXsdVersie>1.0.0</ijw:BasisschemaXsdVersie><ijw:BerichtXsdVersie>1.0.0"
            "</ijw:BerichtXsdVersie></jw323:XsdVersie></jw323:Header><jw323:Declaratie>"
            f"<jw323:DeclaratieNummer>D{files}</jw323:DeclaratieNummer><jw323:DeclaratiePeriode>"
            "<ijw:Begindatum>2024-01-01</ijw:Begindatum><ijw:Einddatum>2024-12-31</ijw:Einddatum>"
            "</jw323:DeclaratiePeriode><jw323:DeclaratieDagtekening>2025-01-06</jw323:DeclaratieDagtekening>"
            f"<jw323:TotaalIngediendBedrag><ijw:TotaalBedrag>{total}</ijw:TotaalBedrag>"
            "<ijw:DebetCredit>D</ijw:DebetCredit></jw323:TotaalIngediendBedrag><jw323:Clienten>\n"
        )
        with (out / f"decl_{files:05d}.xml").open("w", encoding="utf-8") as fh:
            fh.write(header)
            fh.write("\n".join(r[3] for r in rows))
            fh.write("\n</jw323:Clienten></jw323:Declaratie></jw323:Bericht>\n")
        files += 1
    return files


def write_message_files(out: Path, kind: str, lines: int, per_file: int) -> int:
    """`lines` JW301 allocations or JW307 stops, `per_file` records to a message (one client each, as the
    XSDs demand; real messages hold one to a few, so the demo measures the cost of many small files)."""
    from datetime import date, timedelta

    from demo_data.bsn import synthetic_bsn
    from demo_data.messages import client_details
    from demo_data.writers import write_client_message

    code = {"allocations": "JW301", "care_stops": "JW307"}[kind]
    out.mkdir(parents=True, exist_ok=True)
    files = 0
    for start in range(0, lines, per_file):
        municipality, agb = MUNICIPALITIES[files % len(MUNICIPALITIES)], f"1234{files % 10000:04d}"
        begin = date(2024, 1, 1) + timedelta(days=files % 300)
        records = []
        for n in range(start, min(lines, start + per_file)):
            if code == "JW301":
                records.append([("ToewijzingNummer", 1_000_000 + n), ("Product", ("45", "45A01")),
                                ("Toewijzingsdatum", begin), ("Toewijzingstijd", "09:00:00"), ("Ingangsdatum", begin),
                                ("Einddatum", begin + timedelta(days=180)), ("RedenWijziging", None),
                                ("Omvang", (10, "04", "4")), ("Budget", None)])
            else:
                records.append([("ToewijzingNummer", 1_000_000 + n), ("Product", ("45", "45A01")),
                                ("ToewijzingIngangsdatum", begin), ("Begindatum", begin), ("RedenBeeindiging", "31"),
                                ("Einddatum", begin + timedelta(days=90)), ("StatusAanlevering", "1")])
        sender, receiver = (municipality, agb) if code == "JW301" else (agb, municipality)
        write_client_message(out / f"{code}_{files:06d}.xml", code, sender=sender, receiver=receiver,
                             message_id=str(files + 1), day=begin, client=client_details(synthetic_bsn(f"b{files}")),
                             records=records)
        files += 1
    return files
