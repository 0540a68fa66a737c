"""The local controller: trial processes, volume localisation, metric collection, median stop, lifecycle,
state.

What Katib's controller, metrics-collector sidecar and early-stopping service do on a cluster, in one process.
"""
