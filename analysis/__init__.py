"""Summaries, charts and reports of huzhu results."""
