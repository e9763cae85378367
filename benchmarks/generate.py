"""Synthetic REANA-layout yadage workflows of any size, for the scale benchmark and its test.

`generate(n)` returns the files of a repository (path -> text) shaped like an analysis that grew
large. Each stage is one of eight kinds (select, skim, calibrate, ... plot); a kind fixes the
parameters its step reads: one to three inputs taken from earlier stages through
`{step: S, output: X}` selectors (every seventh in the old `{stages: S, output: X, unwrap: true}`
spelling; the first stages read init parameters instead), an init parameter for half of the kinds,
and a `multistep-stage` scatter over mass points for one kind in eight. A stage depends on exactly
the stages it reads. Each step is an `interpolated-script-cmd` script using every parameter the
stage passes, with an `interpolated-pub` publisher. reana.yaml gives every init parameter the
workflow reads and nothing else, uploads `specs/`, and lists the file of the last singlestep stage
as an output, so the result is clean for `recast-reana check` and valid for yadage-schemas.

`shared_steps=False` (the default, the heavier case) gives every stage its own step definition, as
hand-written RECAST specs do; `shared_steps=True` makes all stages of a kind `$ref` one definition,
as generated grids of stages do.

Deterministic: the same arguments always give the same text.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

N_INIT_PARAMETERS = 12
KINDS = ("select", "skim", "calibrate", "histogram", "merge", "scale", "fit", "scan")
IMAGES = (
    ("gitlab-registry.cern.ch/analyst/selection", "v1.2.0"),
    ("gitlab-registry.cern.ch/analyst/fitting", "v1.2.0"),
    ("gitlab-registry.cern.ch/analyst/histogramming", "v2.0.1"),
)


@dataclass
class _Stage:
    index: int
    kind: int
    inputs: list[tuple[int | None, str]]  # (earlier stage or None = init, output or init slot)
    init_reads: list[int] = field(default_factory=list)  # init read slots, numbered globally

    @property
    def name(self) -> str:
        return stage_name(self.index)

    @property
    def multistep(self) -> bool:
        return self.kind == len(KINDS) - 1


def stage_name(i: int) -> str:
    return f"stage_{i:04d}"


def _n_inputs(kind: int) -> int:
    return 1 + kind % 3


def _reads_init(kind: int) -> bool:
    return kind % 2 == 0


def _plan(n_stages: int, rng: random.Random) -> tuple[list[_Stage], int]:
    stages: list[_Stage] = []
    slot = 0  # init reads are numbered, then spread over the parameters
    for i in range(n_stages):
        kind = i % len(KINDS)
        # Earlier stages this one reads: the previous one, a recent one, any one.
        candidates = (
            sorted({i - 1, rng.randrange(max(0, i - 20), i), rng.randrange(i)}) if i else []
        )
        rng.shuffle(candidates)
        stage = _Stage(i, kind, [])
        for k in range(_n_inputs(kind)):
            if k < len(candidates):
                src = candidates[k]
                stage.inputs.append((src, "result" if (src + k) % 2 == 0 else "hist"))
            else:
                stage.inputs.append((None, str(slot)))
                slot += 1
        if _reads_init(kind):
            stage.init_reads.append(slot)
            slot += 1
        stages.append(stage)
    return stages, max(1, min(N_INIT_PARAMETERS, slot))


def generate(n_stages: int, seed: int = 0, *, shared_steps: bool = False) -> dict[str, str]:
    """The files of a clean REANA-layout repository whose workflow has `n_stages` stages."""
    if n_stages < 1:
        raise ValueError("a workflow needs at least one stage")
    stages, n_params = _plan(n_stages, random.Random(seed))
    workflow = ["stages:\n"] + [_stage_text(s, n_params, shared_steps) for s in stages]
    if shared_steps:
        kinds = sorted({s.kind for s in stages})
        steps = [_step_text(KINDS[k], k, random.Random(seed + k)) for k in kinds]
    else:
        rng = random.Random(seed)
        steps = [_step_text(f"step_{s.index:04d}", s.kind, rng) for s in stages]
    # A multistep stage writes into one directory per step (`S_0`, `S_1`, ...): name a singlestep.
    last = next(s for s in reversed(stages) if not s.multistep)
    reana = [
        "version: 0.9.0\n",
        "inputs:\n",
        "  parameters:\n",
        *(f"    par_{p:02d}: {_init_value(p)}\n" for p in range(n_params)),
        "  directories:\n",
        "    - specs\n",
        "workflow:\n",
        "  type: yadage\n",
        "  file: specs/workflow.yml\n",
        "outputs:\n",
        "  files:\n",
        f"    - {last.name}/{_output_file(last.index)}\n",
    ]
    return {
        "reana.yaml": "".join(reana),
        "specs/workflow.yml": "".join(workflow),
        "specs/steps.yml": "\n".join(steps),
    }


def _init_value(p: int) -> str:
    if p % 3 == 0:
        return f"'root://eosuser.cern.ch//eos/user/a/analyst/sample_{p:02d}.root'"
    if p % 3 == 1:
        return f"{p * 1.5 + 0.25}"
    return f"'h_var{p}'"


def _output_file(i: int) -> str:
    return f"out_{i:04d}.root"


def _stage_text(stage: _Stage, n_params: int, shared_steps: bool) -> str:
    i = stage.index
    params: list[tuple[str, str]] = []  # (parameter, value as written)
    deps: list[str] = []
    for k, (src, output) in enumerate(stage.inputs):
        if src is None:
            value = f"{{step: init, output: par_{int(output) % n_params:02d}}}"
            deps.append("init")
        elif (i + k) % 7 == 3:
            value = f"{{stages: {stage_name(src)}, output: {output}, unwrap: true}}"
            deps.append(stage_name(src))
        else:
            value = f"{{step: {stage_name(src)}, output: {output}}}"
            deps.append(stage_name(src))
        params.append((f"input_{k}", value))
    for slot in stage.init_reads:
        params.append(("init_value", f"{{step: init, output: par_{slot % n_params:02d}}}"))
        deps.append("init")
    if stage.multistep:
        params.append(("mass", "[" + ", ".join(str(300 + 100 * m) for m in range(4)) + "]"))
    params.append(("output_file", "'{workdir}/" + _output_file(i) + "'"))
    params.append(("hist_file", f"'{{workdir}}/hist_{i:04d}.root'"))
    deps = sorted(set(deps), key=lambda d: (d != "init", d))
    step = KINDS[stage.kind] if shared_steps else f"step_{i:04d}"
    lines = [
        f"- name: {stage.name}\n",
        f"  dependencies: [{', '.join(deps)}]\n",
        "  scheduler:\n",
        f"    scheduler_type: {'multistep-stage' if stage.multistep else 'singlestep-stage'}\n",
        "    parameters:\n",
        *(f"      {key}: {value}\n" for key, value in params),
    ]
    if stage.multistep:
        lines += ["    scatter:\n", "      method: zip\n", "      parameters: [mass]\n"]
    lines.append(f"    step: {{$ref: specs/steps.yml#/{step}}}\n")
    return "".join(lines)


def _step_text(name: str, kind: int, rng: random.Random) -> str:
    image, tag = IMAGES[kind % len(IMAGES)]
    args = [f"--in {{input_{k}}}" for k in range(_n_inputs(kind))]
    if _reads_init(kind):
        args.append("--init-value {init_value}")
    if kind == len(KINDS) - 1:
        args.append("--mass {mass}")
    lines = [
        f"{name}:\n",
        "  process:\n",
        "    process_type: interpolated-script-cmd\n",
        "    script: |\n",
        "      source /home/analyst/setup.sh\n",
        f"      # {KINDS[kind]}: read the inputs, write the tree and its histograms\n",
        f"      {KINDS[kind]} {' '.join(args)} --out {{output_file}} --hist {{hist_file}}\n",
        "  environment:\n",
        "    environment_type: docker-encapsulated\n",
        f"    image: {image}\n",
        f"    imagetag: {tag}\n",
    ]
    if rng.random() < 0.3:
        lines += ["    resources:\n", "      - kubernetes_memory_limit: '4Gi'\n"]
    lines += [
        "  publisher:\n",
        "    publisher_type: interpolated-pub\n",
        "    publish:\n",
        "      result: '{output_file}'\n",
        "      hist: '{hist_file}'\n",
    ]
    return "".join(lines)


def write(root: Path, files: dict[str, str]) -> Path:
    """Write `files` under `root` (created as needed); returns `root`."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


if __name__ == "__main__":  # python benchmarks/generate.py N DIR [--shared-steps]
    write(Path(sys.argv[2]), generate(int(sys.argv[1]), shared_steps="--shared-steps" in sys.argv))
