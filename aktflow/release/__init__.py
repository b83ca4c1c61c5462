"""The release: what the requester receives. Each released document as a clean PDF (:mod:`.convert`),
and the release package (udleveringspakke) of a decision (:mod:`.package`, :mod:`.service`).
See docs/release.md."""
