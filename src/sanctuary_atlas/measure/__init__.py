"""Measure stage: outcome buckets, aggregates, DDOR, suppression."""
