"""The `sft-explorer` command: everything the app does, headless."""
