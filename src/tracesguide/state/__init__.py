"""The state file: one TOML file, versioned, private, written atomically under a lock.

It holds where the user is (each step's status, keyed by step id), their non-secret
answers and an append-only event log for replay. It never holds a password, a
one-time code or a full phone number (only a masked form).

One job per module:

- ``model``: ``State``, step records, events, ``record``/``answer`` and the limits;
  pure, and the only part the engine imports (this package's names below);
- ``schema``: a parsed document to a ``State`` (validation, migrations, the refusal
  of a newer schema);
- ``store``: reading the file safely, ``load``, ``save``, the lock, backups.
"""

from tracesguide.state import model
from tracesguide.state.model import *  # noqa: F403  (the model's names are the package's)

__all__ = model.__all__
