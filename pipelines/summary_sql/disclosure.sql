-- What `make run` prints about disclosure control: k and what suppression hid, from the publication's record
-- (pipelines/refresh.py)
SELECT min_cell_size, rows_suppressed_small_cells, cells_suppressed_secondary, clients_hidden_secondary,
       spend_hidden_secondary_eur
FROM marts.about
