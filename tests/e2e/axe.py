"""Run the vendored axe-core in a Playwright page and report serious or critical violations.

axe is added as an init script (`add_init_script`), which the browser runs in every document
before the page's own scripts and outside the page's Content-Security-Policy, so the app's
CSP stays strict (no inline scripts) and is not relaxed for the tests.
"""

from pathlib import Path

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text("utf-8")
# WCAG 2.2 AA is what UK public-sector bodies must meet; axe tags each rule with its level.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = {"serious", "critical"}
# Rules axe ships switched off that WCAG 2.2 AA still asks for: target size (2.5.8).
ENABLED_RULES = {"target-size": {"enabled": True}}


def axe_install(page) -> None:
    """Make axe available in every document the page loads from now on."""
    page.add_init_script(script=AXE_SOURCE)


def axe_violations(page) -> list[str]:
    """Serious and critical WCAG violations on the current page, one line each."""
    results = page.evaluate(
        "([tags, rules]) => axe.run(document, {runOnly: {type: 'tag', values: tags}, "
        "rules: rules, resultTypes: ['violations']})",
        [WCAG_TAGS, ENABLED_RULES],
    )
    lines = []
    for violation in results["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return lines
