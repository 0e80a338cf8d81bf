"""Strict build into a temporary folder, then swapped into place.

A failed build leaves the previous site folder exactly as it was, so a broken
page never reaches readers half-written. Usage: python -m bridges.build [SITE_DIR]
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException


def build_site(site_dir: Path, config_file: Path = Path("mkdocs.yml")) -> None:
    """Builds the site strictly into `site_dir`, replacing it only on success."""
    site_dir = site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-new-", dir=site_dir.parent))
    try:
        config = load_config(str(config_file), site_dir=str(staging), strict=True)
        build(config)
        _swap(staging, site_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _swap(new: Path, target: Path) -> None:
    old = target.with_name(f".{target.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site_dir", nargs="?", default="site", type=Path)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)-7s -  %(message)s")
    try:
        build_site(args.site_dir)
    except (MkDocsException, SystemExit) as error:
        print(f"Build failed; {args.site_dir}/ was left as it was. {error}", file=sys.stderr)
        return 1
    except UnicodeDecodeError:
        print(
            f"Build failed: the file named above is not UTF-8 text. Save it as UTF-8 in "
            f"your editor; {args.site_dir}/ was left as it was.",
            file=sys.stderr,
        )
        return 1
    except (OSError, ValueError) as error:
        # MkDocs raises these for unreadable files; it has already named the file.
        print(f"Build failed ({error}); {args.site_dir}/ was left as it was.", file=sys.stderr)
        return 1
    print(f"Site built in {args.site_dir}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
