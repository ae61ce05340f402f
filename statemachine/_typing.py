"""Typing helpers that cost nothing at import time.

Importing :mod:`typing` takes about as long as importing the rest of this package, so the
package does not import it at runtime. Type checkers treat any name ``TYPE_CHECKING`` as true
and see the real definitions below; at runtime the stand-ins are used instead:

* :func:`overload` returns the function unchanged (the last definition wins, as usual);
* :class:`Generic` is a base class that can be subscripted (``StateChart[MyModel]``) and
  returns the class itself, which is all a runtime subscript of a machine class needs.
"""

from __future__ import annotations

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Generic, overload
else:

    def overload(func):
        return func

    class Generic:
        __slots__ = ()

        def __class_getitem__(cls, params):
            return cls


__all__ = ["TYPE_CHECKING", "Generic", "overload"]
