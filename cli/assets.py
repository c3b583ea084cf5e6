"""Serve the app's page assets from this machine: no internet needed in the classroom.

Solara's page loads its JavaScript, styles and fonts from a public CDN, through a
proxy in the Solara server that keeps a copy of each file in a cache directory. A
classroom or a machine without internet cannot reach that CDN, and the page then
never renders. This module fills the cache directory ahead of time with the npm
packages the page asks for, packed by the ordinary ``npm pack`` client, so every
asset is served locally. Run it once after installing (``make system-deps`` does):

    python -m cli.assets          # fill the cache (fast when already done)
    python -m cli.assets --check  # exit 1 if something is missing

The packages and versions are read from the installed Solara itself (its page
template and its Markdown component), so a Solara upgrade that moves to new
versions is picked up on the next run instead of silently breaking the page.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ENV_VAR = "SOLARA_ASSETS_PROXY_CACHE_DIR"
STAMP = ".huzhu-assets.json"

# Parts of a package to keep when the whole package is not needed (mermaid ships
# tens of megabytes of sources; the page only ever loads its one bundled file).
ONLY_FILES = {"mermaid": ("dist/mermaid.min.js",), "katex": ("dist/",), "echarts": ("dist/echarts.js",)}


def cache_dir() -> Path:
    """The directory Solara's asset proxy reads from (and the app server is told to use).

    Solara's own default is ``<prefix>/share/solara/cdn`` of the running Python, so
    filling it also makes a plain ``solara run app.page`` work without internet.
    """
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else Path(sys.prefix) / "share" / "solara" / "cdn"


def _solara_dir() -> Path:
    spec = importlib.util.find_spec("solara")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("solara is not installed in this Python environment")
    return Path(next(iter(spec.submodule_search_locations)))


def _vue3() -> bool:
    # Solara picks the Vue 3 page when ipyvue 3 is installed (solara.server.server.vue3).
    try:
        return importlib.metadata.version("ipyvue").startswith("3")
    except importlib.metadata.PackageNotFoundError:
        return False


def required_packages() -> list[str]:
    """npm package specs (name@version) that Solara's page loads through its CDN proxy."""
    root = _solara_dir()
    specs: set[str] = set()
    template = (root / "server" / "templates" / "solara.html.j2").read_text(encoding="utf-8")
    for name, version in re.findall(r"\{\{cdn\}\}/(@?[\w.-]+(?:/[\w.-]+)?)@(\d[\w.-]*)/", template):
        # the template names both page bundles; only the one matching ipyvue is loaded
        if name.endswith("solara-vuetify3-app") != _vue3():
            continue
        specs.add(f"{name}@{version}")
    settings = (root / "server" / "settings.py").read_text(encoding="utf-8")
    found = re.search(r'fontawesome_path: str = "/(font-awesome@[\d.]+)/', settings)
    specs.add(found.group(1) if found else "font-awesome@4.5.0")
    markdown = (root / "components" / "markdown.py").read_text(encoding="utf-8")
    # Markdown loads KaTeX (maths) and mermaid (diagrams) on first use
    specs.update(re.findall(r"getCdn\(\)\}/((?:@[\w.-]+/)?[\w.-]+@\d+\.\d+\.\d+)/", markdown))
    # the app's charts: FigureEcharts loads its pinned ECharts on first use
    echarts = (root / "components" / "echarts.vue").read_text(encoding="utf-8")
    found = re.search(r'const version = "(\d+\.\d+\.\d+)"', echarts)
    if found:
        specs.add(f"echarts@{found.group(1)}")
    return sorted(specs)


def _package_name(spec: str) -> str:
    return spec.rsplit("@", 1)[0]


def _read_stamp(target: Path) -> set[str]:
    try:
        return set(json.loads((target / STAMP).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return set()


def missing(target: Path | None = None) -> list[str]:
    """Package specs not yet in the cache directory."""
    target = target or cache_dir()
    done = _read_stamp(target)
    return [s for s in required_packages() if s not in done or not (target / s).is_dir()]


def _extract(tgz: Path, dest: Path, only: tuple[str, ...] | None) -> None:
    """Unpack an npm tarball (everything under its top folder ``package/``) into dest."""
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=dest.parent))
    try:
        with tarfile.open(tgz) as tar:
            members = []
            for m in tar.getmembers():
                parts = m.name.split("/", 1)
                if len(parts) != 2 or not (m.isfile() or m.isdir()):
                    continue
                if only and not parts[1].startswith(only):
                    continue
                m.name = parts[1]
                members.append(m)
            tar.extractall(staging, members=members, filter="data")
        # a complete folder appears at once: a server reading meanwhile never sees half of it
        if dest.exists():
            shutil.rmtree(dest)
        staging.rename(dest)
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def install(target: Path | None = None, quiet: bool = False) -> list[str]:
    """Fetch the missing packages with ``npm pack`` and unpack them into the cache directory.

    Returns the specs installed (empty when everything was already there).
    """
    target = target or cache_dir()
    todo = missing(target)
    if not todo:
        return []
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed once to fetch the app's page assets; install Node.js and npm")
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        if not quiet:
            print(f"assets: fetching {', '.join(todo)} with npm pack")
        proc = subprocess.run(
            [npm, "pack", "--silent", "--json", "--pack-destination", tmp, *todo],
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"npm pack failed:\n{proc.stderr.strip()}")
        packed = {f"{p['name']}@{p['version']}": Path(tmp) / p["filename"] for p in json.loads(proc.stdout)}
        for spec in todo:
            if spec not in packed:
                raise RuntimeError(f"npm pack did not return {spec}")
            dest = target / spec
            dest.parent.mkdir(parents=True, exist_ok=True)
            _extract(packed[spec], dest, ONLY_FILES.get(_package_name(spec)))
    done = _read_stamp(target) | set(todo)
    (target / STAMP).write_text(json.dumps(sorted(done)), encoding="utf-8")
    if not quiet:
        print(f"assets: page assets ready in {target}")
    return todo


def ensure(quiet: bool = True) -> Path:
    """Make sure the assets are in place (fetching them if needed); return the cache directory."""
    install(quiet=quiet)
    return cache_dir()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cli.assets",
        description="Fetch the app's page assets (JavaScript, styles, fonts) once, so the app runs without internet.",
    )
    parser.add_argument("--check", action="store_true", help="only report; exit 1 when something is missing")
    parser.add_argument("--quiet", action="store_true", help="print nothing when all is well")
    args = parser.parse_args(argv)
    target = cache_dir()
    if args.check:
        todo = missing(target)
        for spec in todo:
            print(f"missing: {spec}")
        if not todo and not args.quiet:
            print(f"assets: all present in {target}")
        return 1 if todo else 0
    try:
        install(target, quiet=args.quiet)
    except RuntimeError as err:
        print(f"assets: {err}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"assets: all present in {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
