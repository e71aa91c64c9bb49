import ast
import subprocess
import sys
from pathlib import Path

import pytest

import crossl
import crossl.data


def _python(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_the_cli_parser_is_built_without_torch_or_lightning():
    loaded = _python(
        "import sys, crossl.cli; crossl.cli.build_parser().format_help(); "
        "print(sorted(m for m in ('torch', 'lightning', 'sklearn') if m in sys.modules))"
    )
    assert loaded == "[]"


def test_the_dataset_catalogue_is_listed_without_torch():
    loaded = _python(
        "import sys, crossl.cli; crossl.cli.main(['datasets', 'list']); "
        "print(sorted(m for m in ('torch', 'lightning', 'sklearn') if m in sys.modules))"
    )
    assert "hapt " in loaded and "pamap2" in loaded and "sleepedf" in loaded
    assert loaded.splitlines()[-1] == "[]"


def test_importing_the_package_loads_no_workflow_until_one_is_used():
    assert _python("import sys, crossl; print('torch' in sys.modules)") == "False"
    assert _python("import sys, crossl; crossl.get_method; print('torch' in sys.modules)") == "True"


def test_every_public_name_resolves_to_the_object_of_its_module():
    from crossl.config import load_config
    from crossl.nn import MultimodalBackbone

    assert crossl.load_config is load_config
    assert crossl.MultimodalBackbone is MultimodalBackbone
    for name in crossl.__all__:
        assert getattr(crossl, name) is not None
        assert name in dir(crossl)


@pytest.mark.parametrize("package", [crossl, crossl.data], ids=["crossl", "crossl.data"])
def test_the_type_checking_imports_name_the_same_objects_as_the_lazy_table(package):
    tree = ast.parse(Path(package.__file__).read_text())
    (block,) = [
        n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"
    ]
    checked = {
        alias.name: node.module
        for node in ast.walk(block)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert checked == package._WHERE


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'pretrian'"):
        crossl.pretrian  # noqa: B018
