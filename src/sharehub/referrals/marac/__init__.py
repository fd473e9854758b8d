"""MARAC referrals: the DASH checklist as versioned data, the referral criteria
met, the coordinator's screening, and the referral's course to closure."""
