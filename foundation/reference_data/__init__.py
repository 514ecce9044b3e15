"""Reference data shipped with the product: the defaults used when raw/reference lacks a file."""

from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent
XSD_DIR = REFERENCE_DIR / "ijw" / "xsd"  # the iJw 3.2 message schemas, <message>.xsd
