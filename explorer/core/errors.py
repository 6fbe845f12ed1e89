"""The one exception type the core raises for bad input or impossible requests."""


class DatasetError(Exception):
    """A dataset could not be opened or written; the message is meant for the user."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        self.path = path
        self.line = line
        where = path or ""
        if line is not None:
            where = f"{where}:{line}" if where else f"line {line}"
        super().__init__(f"{where}: {message}" if where else message)
        self.reason = message
