"""API v1 views: reading (read.py), publishing and review (publishing.py), the change feed, webhooks."""
