"""Single sign-on: OpenID Connect login, provisioning from the provider's claims, the mapping
table from provider values to ukcn roles and departments."""
