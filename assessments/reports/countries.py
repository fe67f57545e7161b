"""English short names for the partner countries an office commonly sees (ISO 3166 codes)."""

COUNTRY_NAMES = {
    "AE": "United Arab Emirates", "AU": "Australia", "BR": "Brazil", "CA": "Canada",
    "CH": "Switzerland", "CN": "China", "DE": "Germany", "EG": "Egypt", "ES": "Spain",
    "FR": "France", "GB": "United Kingdom", "HK": "Hong Kong", "IL": "Israel", "IN": "India",
    "IR": "Iran", "IT": "Italy", "JP": "Japan", "KR": "South Korea", "MO": "Macao",
    "MY": "Malaysia", "NG": "Nigeria", "NL": "Netherlands", "PK": "Pakistan", "QA": "Qatar",
    "RU": "Russia", "SA": "Saudi Arabia", "SE": "Sweden", "SG": "Singapore", "TH": "Thailand",
    "TR": "Turkey", "TW": "Taiwan", "US": "United States", "VN": "Vietnam", "ZA": "South Africa",
}  # fmt: skip


def country_name(code: str) -> str:
    """The country's English name, or its code when the code is not in our short list."""
    return COUNTRY_NAMES.get(code.upper(), code.upper()) if code else "Not recorded"
