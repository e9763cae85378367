"""Registry figures of issue 13, against a real registry on 127.0.0.1 (Debian's docker-registry,
images pushed with skopeo, as tests/test_registry.py does):

1. bytes fetched to learn the UID of an image whose /etc/passwd is in its top layer (at most
   the manifest, the config and that layer), and what is fetched of a 1 GiB image whose
   /etc/passwd is in a lower layer (below a small layer; below a 1 GiB layer: the cap);
2. requests of a second `check --online` of the same repository (the registry's own log);
3. `check` without `--online`: which registry and network modules it imports, and their cost
   (`python -X importtime`).

    python benchmarks/bench_registry.py [--size-mib 1024]
"""

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))

from common import machine  # noqa: E402
from oci_registry import PASSWD, Image, Registry, oci_image  # noqa: E402

from recast_reana.model.images import parse_reference  # noqa: E402
from recast_reana.registry import layers  # noqa: E402
from recast_reana.registry.cache import FactsCache  # noqa: E402
from recast_reana.registry.client import Client  # noqa: E402
from recast_reana.registry.facts import fetch_facts  # noqa: E402

MIB = 1024 * 1024


def learn(registry: Registry, name: str, cache: Path) -> tuple[str, int, int, list[str]]:
    """(UID or why unknown, bytes read, requests, the registry's log lines) for one image."""
    ref = parse_reference(f"{registry.host}/{name}")
    assert ref is not None
    before = len(registry.requests())
    client = Client([registry.host], env={})
    facts, problems = fetch_facts({ref.key: ref}, client=client, cache=FactsCache(cache))
    fact = facts.get(ref.key)
    said = str(fact.uid) if fact and fact.uid is not None else "unknown: " + "; ".join(problems)
    return said, client.bytes_read, client.requests, registry.requests()[before:]


def sizes(layout: Path) -> str:
    blobs = sorted(
        (p.stat().st_size for p in (layout / "blobs" / "sha256").iterdir()), reverse=True
    )
    return ", ".join(f"{b:,}" for b in blobs)


def bytes_figures(registry: Registry, tmp: Path, size: int) -> None:
    print("1. Bytes fetched to learn the UID (User atlas, resolved in the image's /etc/passwd)")
    top = oci_image(
        tmp / "top",
        Image(
            layers=[{"data/base": os.urandom(8 * MIB)}, {"etc/passwd": PASSWD, "app/run": b"#!"}]
        ),
    )
    registry.push(top, "bench/top:1")
    uid, read, count, log = learn(registry, "bench/top:1", tmp / "c1")
    print(
        f"   passwd in the top layer (8 MiB layer below): UID {uid}; {read:,} bytes in {count} "
        "requests:"
    )
    for line in log:
        print(f"     {line}")
    print(f"     (the layout's blobs: {sizes(top)} bytes; the 8 MiB layer is not asked for)")
    # Random bytes: incompressible, so the layer is as big on the wire as in the image (skopeo
    # would gzip zeros to nothing).
    big = os.urandom(size)
    print(f"   a {size // MIB} MiB image, passwd in a lower layer:")
    low = oci_image(
        tmp / "low", Image(layers=[{"etc/passwd": PASSWD, "data/big": big}, {"app/run": b"#!"}])
    )
    started = time.monotonic()
    registry.push(low, "bench/low:1")
    uid, read, count, log = learn(registry, "bench/low:1", tmp / "c2")
    print(
        f"   - below a small layer: UID {uid}; {read:,} bytes in {count} requests "
        f"(pushed in {time.monotonic() - started:.0f} s):"
    )
    for line in log:
        print(f"     {line}")
    under = oci_image(tmp / "under", Image(layers=[{"etc/passwd": PASSWD}, {"data/big": big}]))
    registry.push(under, "bench/under:1")
    uid, read, count, log = learn(registry, "bench/under:1", tmp / "c3")
    print(
        f"   - below a {size // MIB} MiB layer: UID {uid}; {read:,} bytes in {count} requests "
        f"(cap {layers.FETCH_CAP // MIB} MiB):"
    )
    for line in log:
        print(f"     {line}")
    print("     (the registry's last figure: what it wrote before the client closed the stream)")


def second_check(registry: Registry, tmp: Path) -> None:
    from helpers import REANA_REPO

    from recast_reana.cli import main

    print("2. Requests of `check --online`, run twice on one repository (the registry's log)")
    registry.push(oci_image(tmp / "sel", Image()), "bench/selection:final")
    registry.push(oci_image(tmp / "num", Image(user="500")), "bench/fitting:v1")
    repo = tmp / "analysis"
    steps = REANA_REPO["specs/steps.yml"]
    steps = steps.replace(
        "gitlab-registry.cern.ch/analyst/selection\n    imagetag: v1.2.0",
        f"{registry.host}/bench/selection\n    imagetag: final",
    )
    steps = steps.replace(
        "gitlab-registry.cern.ch/analyst/fitting\n    imagetag: v1.2.0",
        f"{registry.host}/bench/fitting\n    imagetag: v1",
    )
    files = {
        **REANA_REPO,
        "specs/steps.yml": steps,
        ".recast-reana.yaml": f"registries: {{insecure: ['{registry.host}']}}\n",
    }
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    os.environ["XDG_CACHE_HOME"] = str(tmp / "xdg")
    for run in ("first", "second"):
        before = len(registry.requests())
        started = time.perf_counter()
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
            code = main(["check", str(repo), "--online"])
        took = time.perf_counter() - started
        print(f"   {run}: {len(registry.requests()) - before} requests, exit {code}, {took:.2f} s")
    return None


def imports(tmp: Path) -> None:
    print("3. `recast-reana check` without --online: modules imported (python -X importtime)")
    repo = HERE.parent / "examples" / "vhbb"
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp / "xdg")}
    for flag in ([], ["--online"]):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "recast_reana", "check", str(repo), *flag],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        found = {}
        for line in done.stderr.splitlines():
            m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
            if m:
                found[m.group(4)] = int(m.group(1))
        ours = {k: v for k, v in found.items() if k.startswith("recast_reana.registry")}
        network = sorted(
            k for k in found if k.split(".")[0] in ("requests", "urllib3", "ssl", "socket", "http")
        )
        label = " ".join(["check", *flag])
        print(
            f"   {label}: registry modules {sorted(ours) or 'none'} "
            f"({sum(ours.values())} us self time); network modules: {network or 'none'}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size-mib", type=int, default=1024, help="size of the big image")
    args = parser.parse_args()
    print(machine())
    with tempfile.TemporaryDirectory(prefix="bench-registry-") as name:
        tmp = Path(name)
        registry = Registry(tmp / "registry")
        try:
            bytes_figures(registry, tmp, args.size_mib * MIB)
            second_check(registry, tmp)
            imports(tmp)
        finally:
            registry.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
