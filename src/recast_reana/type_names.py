"""typing's names for annotations, without importing typing (2 ms of every `check`: issue 12).

Annotations are strings here (`from __future__ import annotations`), so at run time these names
only need to exist: `Any`, `Final` and `Protocol` are `object`, `overload` and `cast` do nothing,
`TYPE_CHECKING` is False. mypy sees typing's own (the `TYPE_CHECKING = False` idiom of PEP 781, as
in named_tuple.py). A module that needs another name (`Literal`, `NoReturn`) imports typing;
tests/test_startup.py fails when one of those is imported by `check`.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any as Any
    from typing import Final as Final
    from typing import Protocol as Protocol
    from typing import cast as cast
    from typing import overload as overload
else:
    Any = Final = Protocol = object

    def overload(function):
        return function

    def cast(_type, value):
        return value
