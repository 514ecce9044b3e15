"""The bottom layer: settings, the warehouse resource, schema setup and upgrades, pseudonyms, SQL
helpers, run fingerprints, WARN-check labels and the shipped reference data. Every other package
imports it; it imports none of them (tests/test_layering.py)."""
