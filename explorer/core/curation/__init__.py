"""Curation: edits that know their inverse, undo/redo, a crash-proof session store, recipes, curated export."""
