"""Lucy: a private, offline desktop diary that remembers for you."""

__version__ = "0.1.0"
