"""HTML segments: placeholders for inline markup, segmenting and reassembling, bidi,
the languages of a translated body, and images a browser can load."""
