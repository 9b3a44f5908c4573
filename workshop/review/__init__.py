"""Follow-up review: the board of progress and KPIs (`board`), its plain-data report
(`report`), what changed since last time (`changes`) and search across a session (`search`).
"""
