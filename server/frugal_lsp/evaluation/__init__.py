"""`frugal-lsp eval`: how good each configured model is on the user's own code.

``mining.py`` takes masked-line completion tasks from the workspace's files (exclusions
and redaction respected); ``runner.py`` sends them through the engine — the product's
own context, FIM prompt, routing record, ledger and post-processing — one model at a
time within a budget; ``scoring.py`` scores a suggestion; ``scorecard.py`` turns the
results into the dated scorecard rows kept in ``store/scorecards.py``.
"""
