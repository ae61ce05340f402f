"""The machine of S17's model: a document that is published once."""

from __future__ import annotations

from statemachine import State, StateMachine


class DocumentMachine(StateMachine):
    draft = State(initial=True)
    published = State()
    archived = State(final=True)

    publish = draft.to(published)
    archive = published.to(archived)
