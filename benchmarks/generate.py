"""Synthetic REANA-layout yadage workflows of any size, for the scale benchmark and its test.

`generate(n)` returns the files of a repository (path -> text) shaped like a real analysis that grew
large: every stage reads outputs of one to three earlier stages through `{step: S, output: X}`
selectors (some in the old `{stages: S, output: X, unwrap: true}` spelling) and depends on exactly
the stages it reads, runs its own step (an `interpolated-script-cmd` script that uses every
parameter the stage passes, published with `interpolated-pub`), and every tenth stage is a
`multistep-stage` scattering over a list of mass points. reana.yaml gives every init parameter the
workflow reads and nothing else, uploads `specs/`, and lists the last stage's file as an output, so
the result is clean for `recast-reana check` (no errors, no warnings).

Deterministic: the same `n` and `seed` always give the same text.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

N_INIT_PARAMETERS = 12
IMAGES = (
    ("gitlab-registry.cern.ch/analyst/selection", "v1.2.0"),
    ("gitlab-registry.cern.ch/analyst/fitting", "v1.2.0"),
    ("gitlab-registry.cern.ch/analyst/histogramming", "v2.0.1"),
)


def stage_name(i: int) -> str:
    return f"stage_{i:04d}"


def generate(n_stages: int, seed: int = 0) -> dict[str, str]:
    """The files of a clean REANA-layout repository whose workflow has `n_stages` stages."""
    if n_stages < 1:
        raise ValueError("a workflow needs at least one stage")
    rng = random.Random(seed)
    n_params = min(N_INIT_PARAMETERS, n_stages)
    stages: list[str] = ["stages:\n"]
    steps: list[str] = []
    for i in range(n_stages):
        stage, step = _stage(i, n_params, rng)
        stages.append(stage)
        steps.append(step)
    last = n_stages - 1
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
        f"    - {stage_name(last)}/{_output_file(last)}\n",
    ]
    return {
        "reana.yaml": "".join(reana),
        "specs/workflow.yml": "".join(stages),
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


def _stage(i: int, n_params: int, rng: random.Random) -> tuple[str, str]:
    """The workflow.yml entry of stage `i` and the steps.yml entry of its step."""
    name = stage_name(i)
    multistep = i % 10 == 9
    # Earlier stages this one reads (most recent ones mostly, sometimes far back).
    sources = sorted({i - 1, rng.randrange(i), rng.randrange(max(0, i - 20), i)}) if i else []
    sources = sources[: rng.randint(1, 3)] if sources else []
    params: list[tuple[str, str]] = []  # (parameter, value as written)
    for k, src in enumerate(sources):
        output = "result" if (src + k) % 2 == 0 else "hist"
        if (i + k) % 7 == 3:
            value = f"{{stages: {stage_name(src)}, output: {output}, unwrap: true}}"
        else:
            value = f"{{step: {stage_name(src)}, output: {output}}}"
        params.append((f"input_{k}", value))
    reads_init = i < n_params or i % 4 == 0
    if reads_init:
        params.append(("init_value", f"{{step: init, output: par_{i % n_params:02d}}}"))
    if multistep:
        params.append(("mass", "[" + ", ".join(str(300 + 100 * m) for m in range(4)) + "]"))
    params.append(("output_file", "'{workdir}/" + _output_file(i) + "'"))
    params.append(("hist_file", "'{workdir}/hist_" + f"{i:04d}" + ".root'"))
    deps = ["init"] * reads_init + [stage_name(s) for s in sources]

    lines = [
        f"- name: {name}\n",
        f"  dependencies: [{', '.join(deps)}]\n",
        "  scheduler:\n",
        f"    scheduler_type: {'multistep-stage' if multistep else 'singlestep-stage'}\n",
        "    parameters:\n",
        *(f"      {key}: {value}\n" for key, value in params),
    ]
    if multistep:
        lines += ["    scatter:\n", "      method: zip\n", "      parameters: [mass]\n"]
    lines.append(f"    step: {{$ref: specs/steps.yml#/step_{i:04d}}}\n")
    return "".join(lines), _step(i, [key for key, _ in params], rng)


def _step(i: int, params: list[str], rng: random.Random) -> str:
    image, tag = IMAGES[i % len(IMAGES)]
    inputs = " ".join(f"--in {{{p}}}" for p in params if p.startswith("input_"))
    extra = " ".join(f"--{p.replace('_', '-')} {{{p}}}" for p in params if p in ("init_value", "mass"))
    lines = [
        f"step_{i:04d}:\n",
        "  process:\n",
        "    process_type: interpolated-script-cmd\n",
        "    script: |\n",
        "      source /home/analyst/setup.sh\n",
        f"      # stage {i}: combine the inputs and fill the histograms\n",
        f"      analyse {inputs} {extra} --out {{output_file}} --hist {{hist_file}}\n",
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


if __name__ == "__main__":  # python benchmarks/generate.py N DIR
    write(Path(sys.argv[2]), generate(int(sys.argv[1])))
