"""fsm_blog.BlogPost's main transitions, moved to a machine class (MovedPost uses it): the
example of docs/coming-from-django-fsm.md."""

from statemachine import State, StateMachine


class PostWorkflow(StateMachine):
    new = State(initial=True)
    published = State()
    hidden = State()
    removed = State()

    # @transition(field=state, source="new", target="published", conditions=[...])
    publish = new.to(published, cond=["has_title", "is_short"])
    # source=["published", "hidden"], target="hidden"
    hide = published.to(hidden) | hidden.to(hidden)
    # source="*", target="removed"
    remove = removed.from_(new, published, hidden, removed)
    # source="+", target="new": every state but the target
    restore = new.from_(published, hidden, removed)
    # source=["new", "published"], target=None: the state stays, the body runs
    review = new.to.itself(internal=True) | published.to.itself(internal=True)
