"""Dagster orchestration of the scorecard warehouse: `orchestration.definitions` is the entry point."""
