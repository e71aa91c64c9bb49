"""Prepared datasets on disk: the cache folder and its manifest (``folder``), writing one from a
raw download (``writer``), reading it as normalised splits (``prepared``) and streaming its
training windows in batches (``batches``)."""
