"""Comparing datasets: two versions of one dataset (`versions`), and training records against eval sets
(`explorer.core.analysis.eval_overlap`)."""
