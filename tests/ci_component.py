"""The CI/CD catalog component templates/recast-reana.yml, generated from the CI template.

ci-templates/recast-reana.gitlab-ci.yml is the one source of the jobs and their inputs: it works
with `include: project | remote | local`. GitLab's catalog wants a component under templates/
with a `spec:inputs` header. The component is the source's header, word for word (the catalog
shows the inputs), and a body that includes the source with `include: local`, passing each
input on. Inside a component a nested `local` include is read from the component's project at
the component's commit (GitLab keeps the project and SHA of the including file), so
`@v0.1.0` runs the jobs of tag v0.1.0, whose `version` input pins recast-reana 0.1.0: the installed
version follows the component's version without `$[[ component.version ]]` (a beta of GitLab
18.6 behind a feature flag, null for a SHA or a branch, and an error outside a component).

    python tests/ci_component.py          # writes templates/recast-reana.yml
    python tests/ci_component.py --check  # exit 1 when it is not up to date
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SOURCE = "ci-templates/recast-reana.gitlab-ci.yml"
COMPONENT = "templates/recast-reana.yml"

HEAD = f"""\
# GENERATED from {SOURCE} by `python tests/ci_component.py`: edit that file, not this one.
#
# The recast-reana CI/CD catalog component: checks in merge requests, the generated `reana`
# branch, the nightly REANA validation and reporting into GitLab (see {SOURCE} for the jobs).
#
#   include:
#     - component: $CI_SERVER_FQDN/recast-reana/recast-reana/recast-reana@v0.1.0
#       inputs:
#         example: default
"""


def render(source: str) -> str:
    header_text, _ = source.split("\n---\n", 1)
    spec = header_text[header_text.index("spec:\n") :]
    inputs = yaml.safe_load(spec)["spec"]["inputs"]
    passed = "".join(f'      {name}: "$[[ inputs.{name} ]]"\n' for name in inputs)
    return f"{HEAD}{spec}\n---\ninclude:\n  - local: {SOURCE}\n    inputs:\n{passed}"


def main(argv: list[str]) -> int:
    expected = render((ROOT / SOURCE).read_text())
    target = ROOT / COMPONENT
    if "--check" in argv:
        if not target.exists() or target.read_text() != expected:
            print(f"{COMPONENT} is out of date: run python tests/ci_component.py", file=sys.stderr)
            return 1
        return 0
    target.parent.mkdir(exist_ok=True)
    target.write_text(expected)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
