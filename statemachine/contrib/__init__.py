"""Optional extensions built on the public API. The core never imports this package."""
