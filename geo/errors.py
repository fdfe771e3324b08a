"""Every exception newsmap raises, in one place.

Each class also inherits the builtin it resembles, so callers may catch either
``NewsmapError`` or the builtin.
"""


class NewsmapError(Exception):
    """Root of all newsmap errors."""


class ArticleError(NewsmapError, ValueError):
    """An article file cannot be read or holds no usable text."""

    def __init__(self, path, reason):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class GazetteerError(NewsmapError, RuntimeError):
    """The offline gazetteer index is missing, stale or cannot be built."""


class ExportError(NewsmapError, ValueError):
    """An event table cannot be written in the requested format."""


class ConfigurationError(NewsmapError, ValueError):
    """An option given by the user cannot be honoured."""


class AssetError(NewsmapError, RuntimeError):
    """A map element needs a file that is not served locally (a CDN link would blank the map offline)."""


class EventModelError(NewsmapError, RuntimeError):
    """The event model file is missing, unreadable or of another format."""


class StoreError(NewsmapError, RuntimeError):
    """The event store is missing, unreadable, or was written by another version of newsmap."""


class StoreLockedError(StoreError):
    """Another process holds the event store: DuckDB lets only one process write to a file."""


class PathOutsideError(NewsmapError, ValueError):
    """A path given in the dashboard leads outside the articles folder the dashboard was started with."""


class UploadError(NewsmapError, ValueError):
    """An uploaded file cannot be taken in (not an article, a broken or hostile zip)."""


class CorrectionError(NewsmapError, ValueError):
    """An analyst's correction names a value the codebook or the gazetteer does not have."""


class ArchiveError(NewsmapError, ValueError):
    """A zip of articles cannot be read safely: broken, hostile (a path out, a zip bomb) or too large."""
