"""jeugdzorg-monitor: the Dagster code location and its command-line helpers."""
