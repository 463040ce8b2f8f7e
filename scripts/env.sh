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
export DAGSTER_HOME="${DAGSTER_HOME:-$ROOT/.dagster}"
mkdir -p "$DAGSTER_HOME"
cp dagster.yaml "$DAGSTER_HOME/dagster.yaml"
# Dagster EnvVars must be set; empty means "not configured" (sample mode needs none of them).
export COLLAB_MODE="${COLLAB_MODE:-sample}"
export OPENALEX_BASE_URL="${OPENALEX_BASE_URL:-https://api.openalex.org}"
export OPENALEX_API_KEY="${OPENALEX_API_KEY:-}"
export OPENALEX_MAILTO="${OPENALEX_MAILTO:-}"
export UIS_BASE_URL="${UIS_BASE_URL:-https://api.uis.unesco.org}"
export OECD_BASE_URL="${OECD_BASE_URL:-https://sdmx.oecd.org/public/rest}"
export SODA_BASE_URL="${SODA_BASE_URL:-https://data.transportation.gov}"
export SODA_APP_TOKEN="${SODA_APP_TOKEN:-}"
export T100_DIR="${T100_DIR:-}"
export OPENSKY_BASE_URL="${OPENSKY_BASE_URL:-https://opensky-network.org/api}"
export OPENSKY_AUTH_URL="${OPENSKY_AUTH_URL:-https://auth.opensky-network.org/auth/realms/opensky-network/protocol/openid-connect/token}"
export OPENSKY_CLIENT_ID="${OPENSKY_CLIENT_ID:-}"
export OPENSKY_CLIENT_SECRET="${OPENSKY_CLIENT_SECRET:-}"
export WORLDBANK_BASE_URL="${WORLDBANK_BASE_URL:-https://api.worldbank.org}"
