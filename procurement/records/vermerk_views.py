"""vermerk_views of the records blueprint (routes register on ``procurement.records.blueprint.bp``)."""
