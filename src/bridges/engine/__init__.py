"""The MkDocs integration: hooks, and the checks that need MkDocs' pages."""
