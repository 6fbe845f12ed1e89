"""Runs core functions off the GUI thread (Qt-aware, no widgets)."""
