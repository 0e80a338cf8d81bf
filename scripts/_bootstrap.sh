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
  # The package's bytecode, as pip compiles an installed package's (an editable
  # install is not compiled): builds then start without compiling it, even where
  # PYTHONDONTWRITEBYTECODE is set. Only changed modules are compiled again.
  .venv/bin/python -m compileall -q src
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

# Debian packages the build itself needs, added to the array `missing`: Pango
# for WeasyPrint, and the fonts of the PDF and the preview cards
# (src/bridges/pipeline/fonts.py): DejaVu, and Noto for Arabic, Hebrew,
# Devanagari, Chinese, Japanese, Korean and emoji.
build_packages_missing() {
  ldconfig -p | grep -q libpangoft2-1.0 || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
  command -v fc-match >/dev/null || missing+=(fontconfig)
  fc-list -q "DejaVu Sans" 2>/dev/null || missing+=(fonts-dejavu-core)
  fc-list -q "Noto Sans Arabic" 2>/dev/null || missing+=(fonts-noto-core)
  fc-list -q "Noto Sans CJK JP" 2>/dev/null || missing+=(fonts-noto-cjk)
  fc-list -q "Noto Color Emoji" 2>/dev/null || missing+=(fonts-noto-color-emoji)
}

# Installs the packages in `missing` as root; otherwise prints the one command
# to run first, after "$1 Debian packages" ("The tests need").
install_missing() {
  local who=$1
  [ ${#missing[@]} -gt 0 ] || return 0
  if [ "$(id -u)" -eq 0 ]; then
    echo "Installing ${missing[*]} from Debian ..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "$who Debian packages: ${missing[*]}. Install them once with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
}
