"""HTTP plumbing shared by every domain's controllers: problems, versions, headers."""
