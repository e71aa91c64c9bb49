"""Benchmark grids (``crossl benchmark``, ``crossl evaluate``, ``crossl demo``): the typed grid
config (``config``), its jobs (``plan``), the runner that executes and stores them (``runner``),
and the summary, answers, plots and report made from the records (``summary``, ``selection``,
``answers``, ``plots``, ``document``, ``report``)."""
