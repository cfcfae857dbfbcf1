"""The permission matrix: every write (API and page) x every role x own/other object.

`world` builds the actors, `snapshot` fingerprints the database, `discovery` enumerates the writes the code
offers, and `api_writes` / `page_writes` declare, for each of them, how to call it and who may.
"""
