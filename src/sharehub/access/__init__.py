"""Access control: the Casbin enforcer over policies/, role assignments, guards."""
