-- The provider-years with spend but no annual accounts in ref.provider_financials.
SELECT DISTINCT l.provider_agb, p.provider_name, l.service_year AS year
FROM staging.declaration_lines AS l
ANTI JOIN ref.provider_financials AS f ON f.provider_agb = l.provider_agb AND f.year = l.service_year
LEFT JOIN ref.providers AS p ON p.provider_agb = l.provider_agb
ORDER BY ALL
