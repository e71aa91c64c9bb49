"""Evaluation: frozen-feature probes, supervised baselines, missing-modality tests, metrics."""
