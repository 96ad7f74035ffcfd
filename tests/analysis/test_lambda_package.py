"""The Lambda zip really builds, and its handler runs from the unzipped folder alone, with
boto3 as the Lambda runtime provides it and Django nowhere to be imported."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# What the Lambda Python runtime brings: boto3 and the packages it needs.
LAMBDA_RUNTIME_MODULES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3")

PROBE = """
import importlib.util, json, sys
sys.path[:0] = sys.argv[1:3]
from paperex.analysis.lambda_handler import handler
import polars
print(json.dumps({
    "django": importlib.util.find_spec("django") is not None,
    "polars": polars.__file__,
    "answer": handler({"queryStringParameters": None}, None),
}))
"""


def lambda_runtime(folder: Path) -> Path:
    """A folder holding only the packages the Lambda runtime provides (as links)."""
    folder.mkdir()
    for name in (*LAMBDA_RUNTIME_MODULES, "six"):
        spec = importlib.util.find_spec(name)
        assert spec is not None
        assert spec.origin is not None
        origin = Path(spec.origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        (folder / source.name).symlink_to(source)
    return folder


@pytest.mark.timeout(300)
def test_the_lambda_zip_answers_from_its_own_folder_without_django(tmp_path: Path) -> None:
    output = tmp_path / "paperex-analysis-lambda.zip"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "lambda_package.py"),
            "--from-environment",
            "--output",
            str(output),
        ],
        check=True,
        timeout=240,
    )
    unzipped = tmp_path / "unzipped"
    with zipfile.ZipFile(output) as archive:
        names = archive.namelist()
        archive.extractall(unzipped)
    assert "paperex/analysis/lambda_handler.py" in names
    assert not any(name.startswith(("paperex/apps", "paperex/config", "boto3")) for name in names)
    runtime = lambda_runtime(tmp_path / "runtime")
    # -I: no PYTHONPATH, no user site; -S: no site-packages, so only the two folders are there.
    probe = subprocess.run(
        [sys.executable, "-I", "-S", "-c", PROBE, str(unzipped), str(runtime)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert probe.returncode == 0, probe.stderr
    result = json.loads(probe.stdout)
    assert result["django"] is False
    assert result["polars"].startswith(str(unzipped))
    assert result["answer"]["statusCode"] == 400
    assert result["answer"]["message"] == "Missing date: use ?date=YYYY-MM-DD"
