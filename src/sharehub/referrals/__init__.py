"""Referrals: MARAC, MAPPA and the ASB case review (community trigger)."""
