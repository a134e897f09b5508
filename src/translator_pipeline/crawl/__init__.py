"""Finding and fetching articles: discovery, HTTP fetching with its safety limits,
extraction, dates."""
