"""What users read back from a finished or running Experiment: results tables, the best trial, Helm values,
where a trial's model lies.
"""
