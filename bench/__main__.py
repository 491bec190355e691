"""``python -m bench``: the load benchmark (``bench.load``); its ``--help`` lists the options.
The counting and roll benchmarks run apart: ``python -m bench.tally_bench``,
``python -m bench.roll_bench``."""

from bench.load import main

main()
