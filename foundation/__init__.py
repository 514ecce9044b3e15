"""The bottom layer: settings, the warehouse resource, schema setup and upgrades, pseudonyms and the
shipped reference data. assets/ and checks/ import it; it imports neither."""
