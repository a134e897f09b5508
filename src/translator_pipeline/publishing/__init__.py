"""Publishing: rendering, storage, manifest, feeds, webhooks, slugs."""
