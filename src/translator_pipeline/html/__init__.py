"""HTML segments: placeholders for inline markup, segmenting and reassembling, bidi."""
