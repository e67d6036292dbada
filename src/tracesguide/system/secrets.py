"""The OS keyring, for the one secret-ish value the guide keeps: the full mobile number.

The state file holds only a masked number; the full one goes to a keyring that keeps
secrets with the operating system, or nowhere. Only these backends are used:
Secret Service (GNOME Keyring, KeePassXC… directly or through libsecret), KWallet,
the macOS Keychain and the Windows Credential Locker. keyring's chainer is resolved to
its members and the first of those is used. Any other backend — ``keyrings.alt``'s
plaintext or "encrypted" files, the null and fail backends, a backend we do not know —
means "no keyring": the wizard says so once and keeps the masked form only.

``TRACESGUIDE_TRUSTED_KEYRING`` may name more backend classes to trust (full dotted
names, comma-separated), for a keyring the person knows to be safe; the tests use it
for their in-memory backend. Every backend failure (D-Bus, locked collection) also
means "unavailable", never a crash.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

SERVICE = "tracesguide"
PHONE = "phone"
TRUST_ENV = "TRACESGUIDE_TRUSTED_KEYRING"
# The backends that keep secrets with the operating system, by module and class name.
OS_BACKENDS = frozenset(
    {
        "keyring.backends.SecretService.Keyring",
        "keyring.backends.libsecret.Keyring",
        "keyring.backends.kwallet.DBusKeyring",
        "keyring.backends.kwallet.DBusKeyringKWallet4",
        "keyring.backends.macOS.Keyring",
        "keyring.backends.Windows.WinVaultKeyring",
    }
)


def backend_name(backend: object) -> str:
    kind = type(backend)
    return f"{kind.__module__}.{kind.__qualname__}"


def trusted(backend: object) -> bool:
    """Whether *backend* keeps secrets with the OS (or is named in TRACESGUIDE_TRUSTED_KEYRING)."""
    extra = {n.strip() for n in os.environ.get(TRUST_ENV, "").split(",") if n.strip()}
    return backend_name(backend) in OS_BACKENDS | extra


def usable_backend() -> KeyringBackend | None:
    """The keyring backend to use, or None: the chainer resolved to its first trusted member."""
    import keyring
    from keyring.backends import chainer

    backend = keyring.get_keyring()
    members = backend.backends if isinstance(backend, chainer.ChainerBackend) else [backend]
    return next((member for member in members if trusted(member)), None)


def store_phone(number: str) -> bool:
    """Keep the full number in the keyring; False if no usable backend."""
    try:
        backend = usable_backend()
        if backend is None:
            return False
        backend.set_password(SERVICE, PHONE, number)
    except Exception:  # any backend failure means "unavailable", never a crash
        return False
    return True


def read_phone() -> str | None:
    try:
        backend = usable_backend()
        return None if backend is None else backend.get_password(SERVICE, PHONE)
    except Exception:
        return None


def forget_phone() -> None:
    try:
        backend = usable_backend()
        if backend is not None and backend.get_password(SERVICE, PHONE) is not None:
            backend.delete_password(SERVICE, PHONE)
    except Exception:
        return
