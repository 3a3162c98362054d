"""Human evaluation in the browser: a generative Turing test and a side-by-side comparison.

`python -m apps.human_eval --models A.keras B.keras --dataset mnist --study STUDY` draws the
images once into STUDY (`study.py`), serves them to raters on localhost (`server.py`), stores
every answer in STUDY/study.sqlite (`store.py`), and `--report STUDY` sums them up with
Wilson intervals (`report.py`). The protocol is HYPE's (Zhou et al., 2019): the human error
rate on a balanced mix of real and generated images, 50% meaning indistinguishable.
"""
