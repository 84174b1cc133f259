"""The study itself: create and status, sign-in, backup and archives, browsing, the audit trail."""
