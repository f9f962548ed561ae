"""award_views of the awards blueprint (routes register on ``procurement.awards.blueprint.bp``)."""
