"""``katib-local`` exit codes (documented in ``docs/katib-local.md``)."""

OK = 0
"""Success; for ``run``: the experiment Succeeded (goal, max trials, or suggestions exhausted)."""
FAILED = 1
"""``run``: the experiment Failed (max failed trials, suggestion failure); ``validate``: an error found."""
USAGE = 2
"""Bad arguments, unreadable or invalid file, unknown experiment, or a trial that cannot run locally."""
LOCKED = 3
"""Another runner holds the experiment."""
CLUSTER = 4
"""Cluster commands: no kube config, no Katib CRD, namespace missing or not labelled, forbidden, already
exists, rejected by a webhook, server unreachable (``docs/cluster-client.md``)."""
INTERRUPTED = 130
"""Ctrl-C / SIGTERM: running trials were stopped, state kept; rerun to resume."""
