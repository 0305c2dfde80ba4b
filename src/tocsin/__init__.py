"""tocsin: offline extraction of protest and riot events from raw news.

Importing the package does no work: models, gazetteers and databases are created by
explicit factories (see :mod:`tocsin.components`).
"""

__version__ = "0.1.0"
