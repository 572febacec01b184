"""The domain: connection requests, applicants, objects, documents, branches, grid assets and their API."""
