"""Legal determinations (export control, NSI Act, sanctions, FIRS) and the gates they produce.

- `reference`: the versioned reference data a reviewer picks from;
- `services`: one function per state change (record a determination, a sanctions licence);
- `gates`: each regime's gate in the workflow's gate list (registered on import);
- `register`: the portfolio's open legal requirements, and the scheduled reminders.
"""
