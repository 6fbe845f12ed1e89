"""The application layer: what the desktop app and the command line do with an open dataset, without Qt."""
