"""``make bench``: proves Storyboard Studio stays fast as projects grow (see ``BENCHMARKS.md``).

Run ``python -m bench`` (everything: 1k, 10k and 50k-shot projects) or ``python -m bench --quick``
(1k and 10k, fewer repeats, ``BENCHMARKS.md`` left alone). Every figure is a median over repeated
runs, and where a row has a floor it is measured in the same run, interleaved with the row itself, so
that the ratio survives a busy machine better than the absolute time does.

Modules, one job each: ``projects`` generates the workspace, ``core`` times the store (save, the
original design's scan, summaries), ``pages`` runs the pages in ``AppTest`` (and the hanging ComfyUI
probe), ``server`` starts ``streamlit run`` and drives Chromium, ``report`` prints the table and
writes ``BENCHMARKS.md``.
"""
