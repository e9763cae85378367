"""Serial workflows: the steps of `workflow.specification` in a reana file of type serial.

REANA's serial engine runs each step's `commands` with `bash -c` in the step's `environment`
image, after substituting `${param}` with the reana file's `inputs.parameters`
(`string.Template.safe_substitute`, reana-commons `serial.py`); the other keys of a step are its
resources (reana-workflow-engine-serial `tasks.py` `run_step`).
"""

from __future__ import annotations

from collections.abc import Iterator

from recast_reana.model.discovery import ReanaInfo, get
from recast_reana.model.positioned_yaml import Path
from recast_reana.model.source_file import SourceFile
from recast_reana.type_names import Any

STEPS = ("workflow", "specification", "steps")


class SerialStep:
    __slots__ = ("data", "file", "path")

    def __init__(self, file: str, path: Path, data: dict[str, Any]) -> None:
        self.file = file  # the reana file
        self.path = path  # of the step mapping
        self.data = data

    def __repr__(self) -> str:
        return f"SerialStep({self.file!r}, {self.path!r})"

    @property
    def name(self) -> str:
        name = self.data.get("name")
        return str(name) if name else f"{self.index + 1}"

    @property
    def index(self) -> int:
        last = self.path[-1]
        return last if isinstance(last, int) else 0

    @property
    def image(self) -> str | None:
        image = self.data.get("environment")
        return image if isinstance(image, str) and image.strip() else None

    @property
    def commands(self) -> Iterator[tuple[Path, str]]:
        """(path, text) of each command."""
        commands = self.data.get("commands")
        for i, command in enumerate(commands if isinstance(commands, list) else []):
            if isinstance(command, str):
                yield (*self.path, "commands", i), command


def serial_steps(info: ReanaInfo, src: SourceFile) -> list[SerialStep]:
    if info.engine != "serial":
        return []
    steps = get(src.data, *STEPS)
    return [
        SerialStep(info.file, (*STEPS, i), step)
        for i, step in enumerate(steps if isinstance(steps, list) else [])
        if isinstance(step, dict)
    ]
