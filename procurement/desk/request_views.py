"""request_views of the desk blueprint (routes register on ``procurement.desk.blueprint.bp``)."""
