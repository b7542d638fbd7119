"""Notifications: the CometD (Bayeux) server, its client registry and the hub that fans
operation results out to the issuing user's clients, across server processes."""
