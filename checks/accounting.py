"""Nothing lost: per file, rows read = loaded + quarantined + exact duplicates + retracted.

rows_read is what the parser counted while reading the file; the other three are counted back
from the rows actually stored. A mismatch means a row vanished (or was doubled) between the
two, and no mart built on that may be published. A retracted file's rows are gone on purpose
(assets/ingest/retract.py): the registry counts them as retracted.
"""


import dagster as dg

from assets.ingest.assets import MESSAGE_ASSETS, raw_declarations, raw_surveys
from checks.metadata import examples
from foundation.warehouse import Warehouse

# the check's what and why (the Dagster UI and the rule catalogue, checks/README.md, show it)
NOTHING_LOST = ("Per file and in total, rows read (as the parser counted them) = loaded + quarantined + exact "
                "duplicates + retracted: nothing is lost between reading a file and storing its rows (a retracted "
                "file's rows are gone on purpose and counted as such).")

IDENTITY_SQL = """
SELECT f.source_file, f.rows_read, coalesce(s.loaded, 0) AS loaded, coalesce(s.quarantined, 0) AS quarantined,
       coalesce(s.duplicate, 0) AS duplicate
FROM registry.files AS f
LEFT JOIN (
    SELECT file_id, count(*) FILTER (WHERE status = 'loaded') AS loaded,
           count(*) FILTER (WHERE status = 'quarantined') AS quarantined,
           count(*) FILTER (WHERE status = 'duplicate') AS duplicate
    FROM {rows_table} GROUP BY file_id
) AS s USING (file_id)
WHERE f.kind = '{kind}'
  AND (f.rows_read <> coalesce(s.loaded, 0) + coalesce(s.quarantined, 0) + coalesce(s.duplicate, 0)
                      + f.rows_retracted
       OR f.rows_loaded <> coalesce(s.loaded, 0) OR f.rows_quarantined <> coalesce(s.quarantined, 0)
       OR f.rows_duplicate <> coalesce(s.duplicate, 0))
"""


def identity_result(warehouse: Warehouse, kind: str, rows_table: str) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        broken = con.execute(IDENTITY_SQL.format(kind=kind, rows_table=rows_table)).df()
        totals = con.execute(
            "SELECT coalesce(sum(rows_read), 0), coalesce(sum(rows_loaded), 0), coalesce(sum(rows_quarantined), 0), "
            "coalesce(sum(rows_duplicate), 0), coalesce(sum(rows_retracted), 0) FROM registry.files WHERE kind = ?",
            [kind]).fetchone()
    read, loaded, quarantined, duplicate, retracted = (int(x) for x in totals)
    return dg.AssetCheckResult(
        passed=broken.empty and read == loaded + quarantined + duplicate + retracted,
        metadata={
            "rows_read": read, "rows_loaded": loaded, "rows_quarantined": quarantined, "rows_duplicate": duplicate,
            "rows_retracted": retracted,
            "files_not_adding_up": len(broken),
            "examples": examples(broken),
        },
    )


@dg.asset_check(asset=raw_declarations, blocking=True, description=NOTHING_LOST)
def declaration_rows_add_up(warehouse: Warehouse) -> dg.AssetCheckResult:
    return identity_result(warehouse, "declarations", "raw.declaration_rows")


@dg.asset_check(asset=raw_surveys, blocking=True,
                description="Per file and in total, rows read (as the parser counted them) = loaded + quarantined + "
                "retracted (outcome records have no exact duplicates: a repeated response is S09): nothing is lost "
                "between reading a file and storing its rows.")
def survey_rows_add_up(warehouse: Warehouse) -> dg.AssetCheckResult:
    return identity_result(warehouse, "surveys", "raw.survey_rows")


def _message_identity(asset: dg.AssetsDefinition, kind: str, table: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=asset, name=f"{kind}_rows_add_up", blocking=True, description=NOTHING_LOST)
    def _check(warehouse: Warehouse) -> dg.AssetCheckResult:
        return identity_result(warehouse, kind, table)

    return _check


message_rows_add_up = [_message_identity(asset, k.kind, k.target) for k, asset in MESSAGE_ASSETS]
