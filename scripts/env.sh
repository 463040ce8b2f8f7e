# Sourced by the other scripts: builds the project environment (idempotent) and sets defaults.
# Needs only Python 3.11 and the package registries: uv comes from PyPI into .tools/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if [ ! -x .tools/bin/uv ]; then
  "$PYTHON" -m venv .tools
  .tools/bin/python -m pip install --quiet --disable-pip-version-check "uv==0.13.9"
fi
# --frozen: install exactly uv.lock; bytecode compiled once here instead of on every import.
UV_COMPILE_BYTECODE=1 .tools/bin/uv sync --frozen --quiet --python "$PYTHON"
export PATH="$ROOT/.venv/bin:$PATH"
export VIRTUAL_ENV="$ROOT/.venv"  # `dg` checks that the active environment is the project's
export DAGSTER_HOME="${DAGSTER_HOME:-$ROOT/.dagster}"
mkdir -p "$DAGSTER_HOME"
cp dagster.yaml "$DAGSTER_HOME/dagster.yaml"
export COLLAB_MODE="${COLLAB_MODE:-sample}"
# Secrets are Dagster EnvVars, which must be set: empty means "not configured" (sample mode needs none).
# Everything else is optional: service URLs default to the real services (a *_BASE_URL variable overrides
# one), T100_DIR to warehouse/inbox/t100, UIS_VERSION to the current default version.
export OPENALEX_API_KEY="${OPENALEX_API_KEY:-}"
export OPENALEX_MAILTO="${OPENALEX_MAILTO:-}"
export SODA_APP_TOKEN="${SODA_APP_TOKEN:-}"
export OPENSKY_CLIENT_ID="${OPENSKY_CLIENT_ID:-}"
export OPENSKY_CLIENT_SECRET="${OPENSKY_CLIENT_SECRET:-}"
