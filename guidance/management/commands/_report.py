"""Printing an import report the same way from every guidance command."""


def write_report(command, report) -> None:
    command.stdout.write(command.style.SUCCESS(report.summary()))
    for warning in report.warnings:
        command.stdout.write(command.style.WARNING(f"warning: {warning}"))
    for key in report.conflicts:
        command.stdout.write(
            command.style.WARNING(f"conflict: {key} was edited here; listed for an editor")
        )
