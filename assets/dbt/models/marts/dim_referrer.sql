-- Grain: one row per referrer (verwijzer, COD327) plus 'onbekend' for trajectories without an
-- outcome record that names one: the access channels of referral_channels.
SELECT code AS referrer, omschrijving AS referrer_description, row_number() OVER (ORDER BY code)::BIGINT AS sort_order
FROM {{ source('ref', 'referrers') }}
UNION ALL
SELECT 'onbekend', 'Onbekend: geen uitkomstregistratie die de verwijzer noemt', 99
ORDER BY sort_order
