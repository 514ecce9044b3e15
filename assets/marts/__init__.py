"""Published marts: aggregates only, one SQL model per table, small cells suppressed."""
