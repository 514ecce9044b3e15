-- One text row of an outcome record (CSV or XLSX) -> typed and padded. The text is tidy already
-- (assets/ingest/tidy.py): trimmed, NULL where empty.
-- The source yields file_id, line_no, the contract's text columns and, instead of the BSN, its
-- pseudonym and elfproef verdict (assets/ingest/pseudonyms.py): no raw BSN ever reaches DuckDB.
SELECT
    file_id,
    line_no,
    response_id,
    pad_code(aanbieder_agb, 8) AS provider_agb,
    pad_code(gemeentecode, 4) AS municipality_code,
    client_pseudonym,
    bsn_valid,
    bsn_elsewhere,
    whole_number(toewijzingnummer) AS allocation_number,
    pad_code(productcategorie, 2) AS product_category,
    pad_code(verwijzer, 2) AS referrer,
    parse_date(startdatum) AS start_date,
    parse_date(einddatum) AS end_date,
    pad_code(reden_beeindiging, 2) AS end_reason,
    lower(informant) AS informant,
    parse_date(invuldatum) AS filled_date,
    try_cast(whole_int(tevredenheid) AS INTEGER) AS satisfaction,  -- 3000000000 is no grade, and no error
    pad_code(zonder_hulp_verder, 2) AS self_reliance,
    instrument,
    try_cast(replace(score_begin, ',', '.') AS DOUBLE) AS score_begin,
    try_cast(replace(score_eind, ',', '.') AS DOUBLE) AS score_end,
    -- the text as written, to explain a rejection; none of it is personal data
    left(toewijzingnummer, 40) AS allocation_text,
    left(startdatum, 40) AS start_text,
    left(einddatum, 40) AS end_text,
    left(invuldatum, 40) AS filled_text,
    left(tevredenheid, 40) AS satisfaction_text,
    left(score_begin, 40) AS score_begin_text,
    left(score_eind, 40) AS score_end_text
FROM ({source}) AS s
