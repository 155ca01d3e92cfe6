#!/usr/bin/env bash
# lint-workflows.sh: actionlint over .github/workflows (with shellcheck on
# the run: scripts if it is installed: apt-get install shellcheck).
# actionlint is pinned and built from the module proxy (about 17 s on a
# fresh machine); .ci/run calls this script.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
exec go run github.com/rhysd/actionlint/cmd/actionlint@v1.7.12 "$@"
