"""People taking part in a partnership: register, ATAS, declarations, screening, data protection.

See docs/people.md. Importing this package registers the ATAS and person-sanctions gates.
"""
