"""sheetbot: keeps a Code of Conduct committee's incident spreadsheet true to its own policy."""

__version__ = "0.1.0"
