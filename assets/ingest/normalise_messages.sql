-- One text row of a JW301 ToegewezenProduct, JW305 StartProduct or JW307 StopProduct -> typed.
-- The columns every kind shares, then the kind's own (MessageKind.typed). The source yields the
-- pseudonym and elfproef verdict instead of the BSN, and the age at the record's start instead
-- of the birth date (assets/ingest/xml_source.py): neither a BSN nor a birth date reaches DuckDB.
SELECT
    file_id,
    line_no,
    bericht_id AS message_id,
    parse_date(dagtekening) AS message_date,
    pad_code(aanbieder_agb, 8) AS provider_agb,
    pad_code(gemeentecode, 4) AS municipality_code,
    client_pseudonym,
    bsn_valid,
    bsn_elsewhere,
    try_cast(whole_int(age_at_start) AS INTEGER) AS age_at_start,
    geslacht AS sex,
    whole_number(toewijzingnummer) AS allocation_number,
    pad_code(productcategorie, 2) AS product_category,
    productcode AS product_code,
    {kind_columns}
FROM ({source}) AS s
