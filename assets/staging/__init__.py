"""Staging: typed, pseudonymised tables that every mart reads from."""
