# Sourced by the other scripts: makes .venv with the pinned dependencies.
# Installs only when pyproject.toml or constraints.txt changed since the last run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bootstrap() {
  local extras=$1
  if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Building Bridges needs Python 3.11 or newer as 'python3'." >&2
    exit 1
  fi
  [ -x .venv/bin/python ] || python3 -m venv .venv
  local stamp=".venv/.installed${extras:+-$extras}"
  local wanted
  wanted=$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    echo "Installing pinned dependencies into .venv ..."
    # pip warns once per package about local index folders that this machine's
    # pip configuration names but does not have; those lines are noise here.
    .venv/bin/python -m pip install --quiet --disable-pip-version-check \
      --constraint constraints.txt --editable ".${extras:+[$extras]}" \
      2> >(grep -v "^WARNING: Location 'file://" >&2)
    echo "$wanted" > "$stamp"
  fi
}

# Node tools for tests and benchmark (see package.json), pinned by
# package-lock.json; reinstalled only when the lock file changes.
node_tools() {
  if ! cmp -s package-lock.json node_modules/.package-lock-installed 2>/dev/null; then
    echo "Installing Node tools (package.json) ..."
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json node_modules/.package-lock-installed
  fi
}
