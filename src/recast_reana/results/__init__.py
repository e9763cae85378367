"""Results of a REANA run checked against references, kept in a history, drawn as plots.

After `recast-reana run --wait --download`, each recast.yml result (`results: [{name, relpath,
load_yaml}]`) is read from the downloaded workspace and compared with its reference from
`.recast-reana.yaml` `validate:` (`expected`, `values`, `compare`); the outcome of each is a test
case of junit.xml and a row of summary.md/summary.json (`report`). `history` keeps each run's
values in a small versioned JSON file, `plots` draws them with matplotlib when it is installed.
`validation.validate` does all of it for the runner in `reana/`.
"""
