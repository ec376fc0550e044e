"""HTML input for the recruitment pages; every write goes through `recruitment.domain`."""
