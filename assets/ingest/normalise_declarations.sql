-- One text row of a declaration (CSV export or JW323 Prestatie) -> typed, padded, pseudonymised.
-- The source yields file_id, line_no and the contract's text columns. The raw BSN is read here
-- and nowhere else: only its pseudonym and its elfproef verdict leave this SELECT.
-- The pseudonyms CTE (assets/ingest/macros.py) hashes each distinct BSN once.
WITH {pseudonyms}
SELECT
    file_id,
    line_no,
    nullif(trim(declaratienummer), '') AS declaration_number,
    pad_code(aanbieder_agb, 8) AS provider_agb,
    pad_code(gemeentecode, 4) AS municipality_code,
    p.client_pseudonym,
    coalesce(p.bsn_valid, false) AS bsn_valid,
    nullif(trim(referentienummer), '') AS reference_number,
    nullif(trim(vorig_referentienummer), '') AS previous_reference_number,
    whole_number(toewijzingnummer) AS allocation_number,
    pad_code(productcategorie, 2) AS product_category,
    nullif(trim(productcode), '') AS product_code,
    parse_date(product_begindatum) AS period_start,
    parse_date(product_einddatum) AS period_end,
    whole_int(geleverd_volume) AS delivered_volume,
    pad_code(eenheid, 2) AS unit,
    whole_int(producttarief) AS tariff_cents,
    whole_int(ingediend_bedrag) AS amount_cents,
    upper(trim(debet_credit)) AS debit_credit,
    -- the text as written, kept only to explain a rejection; none of it is personal data
    left(product_begindatum, 40) AS period_start_text,
    left(product_einddatum, 40) AS period_end_text,
    left(geleverd_volume, 40) AS volume_text,
    left(producttarief, 40) AS tariff_text,
    left(ingediend_bedrag, 40) AS amount_text,
    left(toewijzingnummer, 40) AS allocation_text,
    left(debet_credit, 10) AS debit_credit_text
FROM ({source}) AS s
LEFT JOIN pseudonyms AS p ON p.bsn_padded = pad_code(s.bsn, 9)
