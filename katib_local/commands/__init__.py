"""The subcommands of ``katib-local``, one module each."""

from katib_local.commands import best, dashboard, results, run, status, submit, validate

COMMANDS = (validate, run, results, status, best, submit, dashboard)
