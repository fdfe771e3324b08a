"""newsmap's library: articles in, places and ACLED-style events out, offline."""

__version__ = "0.1.0"
