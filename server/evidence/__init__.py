"""The evaluation's evidence pack: figures gathered from the reports, SKM and complaints
rooms (pack.py), the pictures of the screens (pictures.py), the PDF, XLSX and ZIP
(exports.py)."""
