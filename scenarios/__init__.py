"""Scenario files, their validation, the batch runner and the command line."""
