"""The `huzhu` command line, the top layer beside the app: its parser, entry point and commands.

It drives the layers below (model, scenarios, analysis) and is imported by none of
them. `huzhu` (the console script) and `python -m cli` run `cli.main.main`.
"""
