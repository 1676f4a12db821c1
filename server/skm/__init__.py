"""SKM, Survei Kepuasan Masyarakat (PermenPANRB 14/2017): the survey of every served ticket.

tables.py, rules.py (answers: who may answer which ticket), questions.py and words.py
(the questionnaire, Indonesian first), results.py (the regulation's arithmetic: NRR,
IKM, grades, Krejcie-Morgan; pure and exact), report.py (results of a period),
views.py (the survey pages), exports.py (XLSX tabulation, PDF report).
"""
