"""Publish stage: reports (HTML, PDF, CSV, JSON) and charts, always from suppressed aggregates."""
