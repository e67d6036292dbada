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


# What ``doctor`` says of a backend that is not trusted: it keeps secrets in a file
# (keyrings.alt's plaintext and "encrypted" files), or nowhere (null, fail).
NO_BACKENDS = frozenset({"keyring.backends.fail.Keyring", "keyring.backends.null.Keyring"})


def backend_kind(backend: object) -> str:
    """``trusted``, ``file`` (secrets in a file of the home: keyrings.alt), ``none`` (the
    null and fail backends) or ``unknown``."""
    name = backend_name(backend)
    if trusted(backend):
        return "trusted"
    if name in NO_BACKENDS:
        return "none"
    if name.startswith("keyrings.alt.") or "Plaintext" in name or ".file." in name:
        return "file"
    return "unknown"


def described_backends() -> list[tuple[str, str]]:
    """Each backend keyring would use (the chainer's members), as (dotted name, kind);
    ``[("", "error")]`` when keyring itself fails to load one."""
    try:
        import keyring
        from keyring.backends import chainer

        backend = keyring.get_keyring()
        members = backend.backends if isinstance(backend, chainer.ChainerBackend) else [backend]
    except Exception:  # a broken keyring set-up is a finding, never a crash
        return [("", "error")]
    return [(backend_name(member), backend_kind(member)) for member in members]
