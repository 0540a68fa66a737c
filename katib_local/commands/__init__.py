"""The subcommands of ``katib-local``, one module each."""

from katib_local.commands import results, run, status, validate

COMMANDS = (validate, run, results, status)
