"""Agreements as code: `accord/v1` YAML files -> domain `Agreement` objects (and `kind: Service`
files -> catalog services), with precise errors.

Every problem is reported at once, each with its file, line and field path.
"""

from accord.spec.agreements import (
    FileReport,
    example_agreements_dir,
    example_catalog_dir,
    example_templates_dir,
    load_agreement_file,
    load_agreement_text,
    load_agreements,
    read_document,
    validate_paths,
)

__all__ = [
    "FileReport",
    "example_agreements_dir",
    "example_catalog_dir",
    "example_templates_dir",
    "load_agreement_file",
    "load_agreement_text",
    "load_agreements",
    "read_document",
    "validate_paths",
]
