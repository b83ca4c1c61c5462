"""aktflow: a workflow engine for Danish municipal aktindsigt (access to documents) case handling."""

__version__ = "0.1.0"
