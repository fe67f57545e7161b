"""Risk scoring, in one package.

- `matrix`: the two-axis policy (schema 2) as a pure function — sensitivity x partner, the
  matrix cell, floors, controls tied to the factors they control.
- `points`: the first, points-based policy (schema 1), kept so that assessments made under it
  are still explained as they were made; also the policy checks both schemas share.
- `policy`: the shape of a policy and its validation (the words it uses come from
  `assessments.vocabularies`).
- `factors`: the risk factors by stable code.
- `versions`: publishing a policy version and loading the default from the repository.
- `assessing`: gathering a request's facts from the database, scoring them under the active
  policy and keeping the snapshot (the only module here that touches the database besides
  `versions`).
"""
