"""frugal-lsp: a quota-aware AI coding language server."""

__version__ = "0.1.0"
