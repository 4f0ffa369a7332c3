"""Accounts: passwords, access tokens, the signed-in user, access rules, the admin CLI."""
