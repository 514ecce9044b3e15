"""Ingestion: untrusted files in raw/ become pseudonymised raw rows with lineage."""
