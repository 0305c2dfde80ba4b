"""Cross-article deduplication: near-duplicate documents, merged events, story groups."""
