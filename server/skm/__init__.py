"""SKM, Survei Kepuasan Masyarakat (PermenPANRB 14/2017): the survey of every served ticket.

results: the regulation's arithmetic (NRR, IKM, grades, Krejcie-Morgan), pure and exact.
"""
