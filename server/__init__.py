"""The local queue server: rules, store, API, discovery."""

__version__ = "0.1.0"
