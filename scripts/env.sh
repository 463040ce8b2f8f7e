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
