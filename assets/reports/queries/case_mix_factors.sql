-- What the provider comparison corrects for, as the published model says: the letter names exactly that.
SELECT DISTINCT t.factor
FROM marts.case_mix_model AS t
WHERE t.factor <> 'intercept'
ORDER BY t.factor
