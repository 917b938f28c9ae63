import json
import os

import moe_atlas


def test_version_follows_package_json():
    with open(os.path.join(os.path.dirname(__file__), "..", "..", "package.json")) as f:
        assert moe_atlas.__version__ == json.load(f)["version"]


def test_import_needs_no_torch():
    # numpy is the only required dependency: importing the package must not import torch.
    import subprocess
    import sys

    code = "import sys, moe_atlas, moe_atlas.client, moe_atlas.formats, moe_atlas.cli; print('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"
