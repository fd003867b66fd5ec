"""Who is who: name normalisation, identifiers, entity resolution and screening."""
