"""Development tools for aktflow's own tests, benchmarks and demo: not part of the installed package.

- :mod:`devtools.fake_sbsys`: a fake SBSYS Web API (``aktflow fake-sbsys``, the SBSYS tests).
- :mod:`devtools.pgcluster`: a throwaway PostgreSQL cluster (the test suite, ``python -m bench``).

This package lives beside ``aktflow/`` in the source tree and is left out of the wheel on purpose
(``[tool.setuptools.packages.find]`` in pyproject.toml; ``tests/unit/test_packaging.py`` checks it).
"""
