-- One text row of a declaration (CSV export or JW323 Prestatie) -> typed and padded. The text is
-- tidy already (assets/ingest/tidy.py): trimmed, NULL where empty.
-- The source yields file_id, line_no, the contract's text columns and, instead of the BSN, its
-- pseudonym and elfproef verdict (assets/ingest/pseudonyms.py): no raw BSN ever reaches DuckDB.
SELECT
    file_id,
    line_no,
    declaratienummer AS declaration_number,
    pad_code(aanbieder_agb, 8) AS provider_agb,
    pad_code(gemeentecode, 4) AS municipality_code,
    client_pseudonym,
    bsn_valid,
    bsn_elsewhere,
    referentienummer AS reference_number,
    vorig_referentienummer AS previous_reference_number,
    whole_number(toewijzingnummer) AS allocation_number,
    pad_code(productcategorie, 2) AS product_category,
    productcode AS product_code,
    parse_date(product_begindatum) AS period_start,
    parse_date(product_einddatum) AS period_end,
    whole_int(geleverd_volume) AS delivered_volume,
    pad_code(eenheid, 2) AS unit,
    whole_int(producttarief) AS tariff_cents,
    whole_int(ingediend_bedrag) AS amount_cents,
    upper(debet_credit) AS debit_credit,
    -- the text as written, only to explain a rejection (none of it is personal data); passed
    -- through untouched, so a clean row costs nothing here
    product_begindatum AS period_start_text,
    product_einddatum AS period_end_text,
    geleverd_volume AS volume_text,
    producttarief AS tariff_text,
    ingediend_bedrag AS amount_text,
    toewijzingnummer AS allocation_text,
    debet_credit AS debit_credit_text
FROM ({source}) AS s
