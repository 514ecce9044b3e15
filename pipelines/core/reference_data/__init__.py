"""Reference data shipped with the product: the defaults used when raw/reference lacks a file."""

from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent
XSD_PATH = REFERENCE_DIR / "ijw" / "xsd" / "JW323.xsd"
