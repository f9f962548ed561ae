"""Pure state machines of the platform: no Flask, no SQLAlchemy."""

from workflows.machine import Guard, GuardFailed, InvalidTransition, Transition, Workflow

__all__ = ["Guard", "GuardFailed", "InvalidTransition", "Transition", "Workflow"]
