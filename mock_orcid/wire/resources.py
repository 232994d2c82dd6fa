"""Where the schemas and fixtures are: inside an installed wheel, or in a source checkout."""
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent   # mock_orcid/


def resource_dir(name: str) -> Path:
    # pyproject maps the top-level xsd/ and fixtures/ into the package when it is built.
    inside = _PACKAGE / name
    return inside if inside.is_dir() else _PACKAGE.parent / name
