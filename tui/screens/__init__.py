"""Full screens of the workshop app: the session list, a session, help."""
