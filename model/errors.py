"""The errors the library raises for bad input, below every other module of the project.

Each one means "the user gave something the project does not accept", with a message
that says what and what is allowed; the command line prints it without a traceback and
exits with code 2. Library users catch `HuzhuError` for all of them.

>>> issubclass(ParameterError, HuzhuError) and issubclass(InputError, HuzhuError)
True
>>> issubclass(ParameterError, ValueError)  # a wrong parameter value is a ValueError too
True
"""

from __future__ import annotations


class HuzhuError(Exception):
    """Bad input to huzhu: a message for the user, not a bug."""


class ParameterError(HuzhuError, ValueError):
    """A parameter name, type or value that the schema does not allow."""


class InputError(HuzhuError):
    """Bad input from the user (a file, a folder, a name, an option): printed without a traceback, exit code 2."""
