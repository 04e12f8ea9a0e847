"""Use cases shared by every entry point: the enterprise API, the mini-program API and the jobs.

Each function takes the ``Services`` of the running app, the acting ``Actor`` and plain values,
owns its transaction, and raises ``entryfiling.domain.errors`` on refusal. None of them knows HTTP.
"""
