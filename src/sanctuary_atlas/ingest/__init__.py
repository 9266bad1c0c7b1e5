"""Ingest stage: layout detection, column contracts, typing, redaction, provenance, accounting."""
