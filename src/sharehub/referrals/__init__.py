"""Referrals: ASB reports (``asb/``), and the criteria of MARAC and the ASB
case review (``criteria.py``); MARAC, MAPPA and case review referrals next."""
