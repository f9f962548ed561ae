"""Keep the full-text index in step with the marketplace.

The marketplace services call these after every change of a solution or pilot project (status
change or edit): a published entry is (re)indexed, any other status takes it out of the index.
"""

from __future__ import annotations

from procurement.marketplace.models import PilotProject, Solution


def reindex_solution(solution: Solution) -> None:
    """Put a published solution into the search index, or take it out if it is not published."""


def reindex_pilot_project(project: PilotProject) -> None:
    """Put a published pilot project into the search index, or take it out if not published."""
