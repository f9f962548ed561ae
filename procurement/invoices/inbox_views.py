"""inbox_views of the invoices blueprint (routes register on ``procurement.invoices.blueprint.bp``)."""
