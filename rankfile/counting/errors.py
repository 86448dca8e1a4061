"""The engine's exceptions: every failure a caller should expect is one of these."""


class CountingError(Exception):
    """Base class of every error the counting engine raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BallotFileError(CountingError):
    """A ballot file is malformed.

    Args:
        message: what is wrong, in plain words.
        line: the 1-based line number where it was found, or ``None`` when the
            problem is the file as a whole (for example, it ends too early).
        path: the file's name as the user gave it, if known.
    """

    def __init__(self, message: str, line: int | None = None, path: str | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.path = path

    def __str__(self) -> str:
        where = self.path or "ballot file"
        if self.line is not None:
            where = f"{where} line {self.line}"
        return f"{where}: {self.message}"


class OptionsError(CountingError):
    """The options asked for cannot be applied to this election."""
