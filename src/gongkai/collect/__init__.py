"""Collect annual reports from the agencies' websites into the store: ``gongkai collect``.

From seed URLs of annual-report columns (one per unit): list pages (with their pagination) →
report pages (recognised by title) → attachments; politely (robots.txt, per-host rate and
concurrency, retries with backoff, conditional GETs, size and redirect caps), resumably (a killed
run continues without fetching twice), with the publication date as the page states it; then the
documents are ingested into the same store (:mod:`gongkai.collect.deliver`).

Modules: :mod:`.fetch` (HTTP), :mod:`.listing` (list pages), :mod:`.pages` (report pages, dates,
attachments), :mod:`.state` and :mod:`.schema` (the persistent frontier), :mod:`.crawl` (the loop),
:mod:`.read` (what the CLI and web app show), :mod:`.commands`. Needs the ``collect`` extra.
"""
