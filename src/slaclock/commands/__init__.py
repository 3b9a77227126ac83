"""The command line's sub-commands that live in their own modules (registered in :mod:`slaclock.cli`)."""
