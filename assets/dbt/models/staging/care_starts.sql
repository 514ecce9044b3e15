-- Grain: one started allocation (municipality_code, allocation_number), internal only: the real
-- start of care from the provider's latest JW305 about it.
SELECT municipality_code, allocation_number, provider_agb, client_pseudonym, product_category, product_code,
       allocation_start, start_date, age_at_start, sex
FROM ({{ latest_message('care_start_rows') }})
