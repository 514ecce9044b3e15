-- Grain: one stopped allocation (municipality_code, allocation_number), internal only: the real
-- end of care and its JZ588 reason from the provider's latest JW307 about it, with the reason in
-- CBS categories and whether it ends the trajectory (ref.end_reason_cbs: administrative stops
-- such as 20, 36 and 37 do not).
SELECT s.municipality_code, s.allocation_number, s.provider_agb, s.client_pseudonym, s.product_category,
       s.product_code, s.start_date, s.end_date, s.end_reason, m.cbs_code AS cbs_end_reason,
       coalesce(m.counts_as_ended, false) AS counts_as_ended, s.age_at_start, s.sex
FROM ({{ latest_message('care_stop_rows') }}) AS s
LEFT JOIN {{ source('ref', 'end_reason_cbs') }} AS m ON m.end_reason = s.end_reason
