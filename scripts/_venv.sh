# Sourced by scripts/demo and scripts/test: make .venv with the project installed.
# $1 is the pip extra to install ("" or "dev"). Reinstalls only when pyproject.toml changes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
extra="${1:-}"
py="${HOTLINE_PYTHON:-}"
if [ -z "$py" ]; then
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      py="$candidate"; break
    fi
  done
fi
if [ -z "$py" ]; then
  echo "hotline needs Python 3.11 or newer (set HOTLINE_PYTHON to its path)" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "Creating .venv with $($py --version)…"
  "$py" -m venv .venv
fi
stamp=".venv/.installed${extra:+-$extra}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "Installing hotline${extra:+ with [$extra]} into .venv…"
  .venv/bin/python -m pip install --quiet --upgrade pip
  if [ -n "$extra" ]; then
    .venv/bin/python -m pip install --quiet -e ".[$extra]"
  else
    .venv/bin/python -m pip install --quiet -e .
  fi
  touch "$stamp"
fi
