"""Dagster assets by layer: ingest/, staging/, marts/ and the publish step."""
