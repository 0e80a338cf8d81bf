"""Steps over the built site: what is published, and in which forms."""
