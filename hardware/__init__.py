"""The only place that talks to devices: ticket printer, counter sign, call buttons, voice."""
