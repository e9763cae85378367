"""Image facts from container registries: existence, digest and the UID of each step image.

Spoken over the OCI distribution API (`/v2/`, what Docker Hub, GitLab's registry, Harbor and
distribution all serve), without a Docker daemon and without pulling whole images:

- `client`: manifests (image indexes too, `linux/amd64` chosen), the config blob, layer blobs
  streamed; anonymous, Basic and Bearer-token auth (`WWW-Authenticate`); plain HTTP only for the
  `registries: insecure` hosts; counts requests and bytes.
- `auth`: credentials from `~/.docker/config.json` `auths` and GitLab CI's `CI_REGISTRY_*` /
  `CI_JOB_TOKEN`; challenge parsing. Every secret is registered with `redact`.
- `layers`: `/etc/passwd` from layer tars, top layer first, stopping where it is found, under a cap.
- `facts`: one reference -> `model.images.ImageFacts`, through the cache.
- `cache`: facts by digest and tag -> digest under `$XDG_CACHE_HOME/recast-reana/images`. It
  imports no network code: `check` without `--online` (the hooks) reads it and nothing else.

Why an own client and not a library: `oras` (oras-py 0.2) sends requests without a timeout (a
slow registry hangs the check), retries every failure five times with sleeps of 3 s to 83 s,
chooses HTTP or HTTPS for the whole client rather than per host, imports jsonschema (~100 ms a
start) and logs through its own logger; it has no image-index platform choice and no streamed
partial read of a layer. What is needed here is five kinds of GET on `requests`, which the
project already has: about 300 lines whose every error is one line and whose bytes are counted.
"""
