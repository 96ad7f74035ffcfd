"""Builds the AWS Lambda deployment package of the per-day trade analysis.

The zip holds ``paperex.analysis`` (handler: ``paperex.analysis.lambda_handler.handler``), the
Paperex modules it imports (found by reading their imports: pure code only) and polars built for
Lambda's platform. boto3 is left out: the Lambda Python runtime provides it. Fails when the
unzipped package would exceed Lambda's 250 MB limit.

    python tools/lambda_package.py                      # polars from PyPI for Lambda (x86_64)
    python tools/lambda_package.py --from-environment   # polars as installed here (tests)
"""

from __future__ import annotations

import argparse
import ast
import shutil
import subprocess
import sys
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "src"
ENTRY_PACKAGE = "paperex.analysis"
COMPUTE_DISTRIBUTIONS = ("polars", "polars-runtime-32")
LAMBDA_UNZIPPED_LIMIT = 262_144_000  # bytes: Lambda's "250 MB" for code and layers unzipped
DEFAULT_OUTPUT = ROOT / "build" / "paperex-analysis-lambda.zip"


def module_path(module: str) -> Path:
    """The source file of a Paperex module or package."""
    base = SOURCES / Path(*module.split("."))
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def imported_paperex_modules(module: str) -> set[str]:
    """The Paperex modules that ``module`` imports directly, with their parent packages."""
    tree = ast.parse(module_path(module).read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            if name == "paperex" or name.startswith("paperex."):
                parts = name.split(".")
                found.update(".".join(parts[:end]) for end in range(1, len(parts) + 1))
    return found


def needed_modules() -> set[str]:
    """Every module of the entry package and, transitively, every Paperex module they import."""
    package = module_path(ENTRY_PACKAGE).parent
    pending = {f"{ENTRY_PACKAGE}.{path.stem}" for path in package.glob("*.py")}
    pending.update({"paperex", ENTRY_PACKAGE})
    seen: set[str] = set()
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        seen.add(module)
        pending |= imported_paperex_modules(module) - seen
    return seen


def copy_sources(folder: Path) -> None:
    for module in sorted(needed_modules()):
        source = module_path(module)
        destination = folder / source.relative_to(SOURCES)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)


def install_for_lambda(folder: Path, python_version: str) -> None:
    """polars at the version installed here, as Lambda's x86_64 wheels, into ``folder``."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-compile",
            "--platform",
            "manylinux2014_x86_64",
            "--implementation",
            "cp",
            "--python-version",
            python_version,
            "--only-binary=:all:",
            "--target",
            str(folder),
            f"polars=={metadata.version('polars')}",
        ],
        check=True,
    )


def copy_from_environment(folder: Path) -> None:
    """polars as installed in this environment (same platform), into ``folder``."""
    for name in COMPUTE_DISTRIBUTIONS:
        distribution = metadata.distribution(name)
        for file in distribution.files or []:
            source = Path(str(distribution.locate_file(file)))
            if "__pycache__" in file.parts or not source.is_file():
                continue
            destination = folder / file
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)


def unzipped_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def write_zip(folder: Path, output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(folder))


def build(output: Path, from_environment: bool, python_version: str) -> int:
    """Builds the zip at ``output``; returns its unzipped size in bytes. Raises SystemExit
    when the package is over Lambda's limit."""
    with tempfile.TemporaryDirectory(prefix="paperex-lambda-") as temporary:
        folder = Path(temporary)
        copy_sources(folder)
        if from_environment:
            copy_from_environment(folder)
        else:
            install_for_lambda(folder, python_version)
        size = unzipped_size(folder)
        if size >= LAMBDA_UNZIPPED_LIMIT:
            raise SystemExit(
                f"lambda package: {size:,} bytes unzipped, over Lambda's {LAMBDA_UNZIPPED_LIMIT:,}"
            )
        write_zip(folder, output)
    return size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--from-environment",
        action="store_true",
        help="copy polars from this environment instead of downloading Lambda's wheels",
    )
    parser.add_argument("--python-version", default="3.12", help="the Lambda runtime's Python")
    arguments = parser.parse_args()
    size = build(arguments.output, arguments.from_environment, arguments.python_version)
    print(
        f"{arguments.output}: {arguments.output.stat().st_size / 1e6:.1f} MB zipped, "
        f"{size / 1e6:.1f} MB unzipped (limit {LAMBDA_UNZIPPED_LIMIT / 1e6:.1f} MB)"
    )


if __name__ == "__main__":
    main()
