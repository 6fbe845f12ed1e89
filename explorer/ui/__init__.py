"""The PySide6 desktop app. Widgets never change data themselves: they submit edits to the Document."""
