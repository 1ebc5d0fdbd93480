"""Template venue: copy this folder to ``venues/<name>/`` and fill in every stub.

Every venue has the same six modules (STYLE.md §1); the stubs below list what each must offer.
``venues/ccxt/`` is the worked example.
"""
