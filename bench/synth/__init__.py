"""Synthetic data at scale for the benchmark: `bench.synth.synthesize.synthesize(engine, figures)`.

`content` draws templates and the plan from the real report, `reference` builds the reference
rows, `rows` writes each table's COPY text, `bulk` copies it in, and `synthesize` runs the load.
"""
