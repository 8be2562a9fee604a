"""The review site: a static HTML view of the corpus (documents, claim clusters, statistics).

:func:`render_site` writes it; the page builders live in the modules of this package, the
palette in ``palette.json``, the page shell in ``templates/`` and the CSS/JS in ``static/``.
"""

from isf_claims.render.site import SiteResult, build_site, render_site

__all__ = ["SiteResult", "build_site", "render_site"]
