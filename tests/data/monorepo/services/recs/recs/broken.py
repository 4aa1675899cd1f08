"""A file with a syntax error: the importer notes it and reads the rest."""

def half_written(:
