"""MAPPA referrals: the MAPPA A referral of an offender by a responsible
authority, its screening, the level agreed and reviewed, the duty-to-co-operate
agencies invited to the case, and its closure (Criminal Justice Act 2003
ss325-327)."""
