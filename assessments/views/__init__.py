"""Views, one module per concept; each stays thin and calls workflow, scoring or screening."""
