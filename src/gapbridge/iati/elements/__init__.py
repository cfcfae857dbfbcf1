"""One module per IATI element family: ``read_*`` (XML element -> DTO) and ``write_*`` (DTO -> XML)."""
