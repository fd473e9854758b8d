"""The ASB case review ("community trigger"): an area's review procedure, the
application and its threshold, clocks, information from the relevant bodies,
the review's outcome and recommendations, escalation, and published figures."""
