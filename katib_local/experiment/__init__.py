"""The Experiment as data: loading YAML, Katib's defaults, the search space, rendering trial templates,
validation.

Nothing here runs a trial or touches the state store; the controller and the commands build on it.
"""
