"""The Qt-free core: loading, analysis, edits and export. Nothing here may import Qt."""
