"""The helper every workflow uses: states and transitions declared as data.

A workflow is one shared `transitions.Machine` (``model=None``) per table; rows are never added
as models, so the machine stays stateless and nothing is bound onto the SQLAlchemy instances.
Firing a trigger reads and writes only the object's ``status`` attribute. Guards are pure
functions of the object and an explicit ``now``: never the wall clock inside a guard.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from transitions import Machine, MachineError


def N_(message: str) -> str:
    """Mark a message for translation; the web layer translates it when it is shown."""
    return message


class InvalidTransition(Exception):
    """A trigger that the object's current state does not allow (HTTP 409 on the web)."""

    message = N_("Die Aktion „%(trigger)s“ ist im Status „%(state)s“ nicht möglich.")

    def __init__(self, trigger: str, state: Enum, workflow: str = "") -> None:
        super().__init__(f"{workflow}: {trigger!r} is not allowed in state {state.value!r}")
        self.workflow = workflow
        self.trigger = trigger
        self.state = state
        self.params = {"trigger": trigger, "state": state.value}


class GuardFailed(InvalidTransition):
    """A trigger that is allowed in this state, but whose guard refuses it now."""

    def __init__(self, trigger: str, state: Enum, guard: Guard, workflow: str = "") -> None:
        super().__init__(trigger, state, workflow)
        self.guard = guard
        self.message = guard.message


@dataclass(frozen=True)
class Guard:
    """A named condition ``check(obj, now) -> bool`` with the message shown when it fails."""

    check: Callable[[Any, datetime], bool]
    message: str

    def __call__(self, obj: Any, now: datetime) -> bool:
        return bool(self.check(obj, now))


@dataclass(frozen=True)
class Transition:
    """One allowed move: ``trigger`` takes the object from any of ``sources`` to ``dest``."""

    trigger: str
    sources: Sequence[Enum]
    dest: Enum
    guards: Sequence[Guard] = field(default_factory=tuple)


class Workflow:
    """A state machine over an Enum of states, fired on objects with a ``status`` attribute."""

    def __init__(
        self, name: str, states: type[Enum], initial: Enum, transitions: Iterable[Transition]
    ) -> None:
        self.name = name
        self.states = states
        self.initial = initial
        self.transitions: tuple[Transition, ...] = tuple(transitions)
        for move in self.transitions:
            if not move.sources:
                raise ValueError(f"{name}: transition {move.trigger!r} has no source state")
            for state in (*move.sources, move.dest):
                if not isinstance(state, states):
                    raise ValueError(f"{name}: {state!r} is not a {states.__name__}")
        self._machine = Machine(
            model=None,
            states=states,
            initial=initial,
            model_attribute="status",
            auto_transitions=False,
            send_event=True,
            ignore_invalid_triggers=False,
        )
        for move in self.transitions:
            self._machine.add_transition(
                move.trigger,
                list(move.sources),
                move.dest,
                conditions=[_condition(guard) for guard in move.guards],
            )

    @property
    def triggers(self) -> list[str]:
        return list(dict.fromkeys(move.trigger for move in self.transitions))

    def moves_from(self, state: Enum, trigger: str | None = None) -> list[Transition]:
        return [
            move
            for move in self.transitions
            if state in move.sources and (trigger is None or move.trigger == trigger)
        ]

    def allowed_triggers(self, obj: Any, now: datetime) -> list[str]:
        """Return the triggers that would succeed on ``obj`` at ``now``, in declaration order."""
        _require_aware(now)
        return list(
            dict.fromkeys(
                move.trigger
                for move in self.moves_from(obj.status)
                if all(guard(obj, now) for guard in move.guards)
            )
        )

    def fire(self, obj: Any, trigger: str, now: datetime) -> Enum:
        """Fire ``trigger`` on ``obj`` at ``now``; return the new state or raise a domain error."""
        _require_aware(now)
        state = obj.status
        if not isinstance(state, self.states):
            raise ValueError(f"{self.name}: {state!r} is not a {self.states.__name__}")
        moves = self.moves_from(state, trigger)
        if trigger not in self._machine.events or not moves:
            raise InvalidTransition(trigger, state, self.name)
        try:
            moved = self._machine.events[trigger].trigger(obj, now=now)
        except MachineError as err:
            raise InvalidTransition(trigger, state, self.name) from err
        if not moved:
            failing = next(guard for move in moves for guard in move.guards if not guard(obj, now))
            raise GuardFailed(trigger, state, failing, self.name)
        return obj.status


def _condition(guard: Guard) -> Callable[[Any], bool]:
    return lambda event: guard(event.model, event.kwargs["now"])


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
