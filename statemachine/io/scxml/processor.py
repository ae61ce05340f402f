"""``SCXMLProcessor``, kept for code written against python-statemachine's SCXML API.

New code calls :func:`statemachine.io.load` (or :func:`~statemachine.io.build_processor`),
which reads every format and takes paths as well as text.

>>> from statemachine.io.scxml.processor import SCXMLProcessor
>>> processor = SCXMLProcessor()
>>> Switch = processor.parse_scxml("switch", '''
... <scxml xmlns="http://www.w3.org/2005/07/scxml" initial="off">
...   <state id="off"><transition event="flip" target="on"/></state>
...   <state id="on"><transition event="flip" target="off"/></state>
... </scxml>''')
>>> sm = processor.start()
>>> sm.send("flip")
>>> list(sm.configuration_values)
['on']
>>> sorted(processor.scs)
['switch']
"""

from __future__ import annotations

from typing import Any

from statemachine._machine import StateChart
from statemachine.io import Processor, load

__all__ = ["SCXMLProcessor"]


class SCXMLProcessor(Processor):
    """Collects the machine classes of SCXML documents parsed one by one.

    Args:
        trusted: evaluate the documents' expressions as full Python and run their
            ``<script>`` elements (only for documents you control; see
            :func:`statemachine.io.load`).
    """

    def __init__(self, trusted: bool = False) -> None:
        super().__init__(None, {})
        self.trusted = trusted

    def parse_scxml(self, sm_name: str, text: str) -> type[StateChart[Any]]:
        """Build the machine class of one SCXML document, named ``sm_name``, and keep it in
        :attr:`scs`; the first one parsed is the one :meth:`start` runs."""
        cls = load(text, format="scxml", trusted=self.trusted, name=sm_name)
        self.scs[sm_name] = cls
        if self.root is None:
            self.root = cls
        return cls
