"""ASB reports: every report of anti-social behaviour or a hate incident an
agency receives, its harm assessment, response target, and closure."""
