"""The only package that knows gspread: the transport, the sheet adapter and the Drive adapter."""
