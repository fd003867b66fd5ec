"""Errors a user can cause and fix; the CLI shows them as one line, never a traceback."""


class UserError(Exception):
    """A problem with the user's input or invocation: bad path, unreadable file, unknown option."""
