"""The demo's app: articles that go through an editorial workflow."""
