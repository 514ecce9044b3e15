"""A working file written by an earlier version keeps working after an upgrade."""

from assets.sql import model_sql
from assets.staging.assets import HERE


def test_staging_table_from_before_the_view_is_replaced(warehouse):
    with warehouse.connect() as con:
        con.execute("CREATE TABLE staging.declaration_lines AS SELECT 1 AS old")
    with warehouse.connect() as con:
        con.execute(model_sql(HERE / "declaration_lines.sql"))
        kind = con.execute("SELECT table_type FROM information_schema.tables WHERE table_schema = 'staging' "
                           "AND table_name = 'declaration_lines'").fetchone()[0]
    assert kind == "VIEW"
