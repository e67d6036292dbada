"""The OS keyring, for the one secret-ish value the guide keeps: the full mobile number.

The state file holds only a masked number. A headless machine has no usable
backend (keyring raises ``NoKeyringError``), and some backends raise other
exceptions than ``KeyringError`` (D-Bus, locked collections): every failure means
"unavailable", and the wizard carries on with the masked form only. We never fall
back to ``keyrings.alt``, which would store the number in plain text.
"""

from __future__ import annotations

SERVICE = "tracesguide"
PHONE = "phone"


def _usable() -> bool:
    import keyring
    from keyring.backends import fail

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        return False
    try:
        from keyring.backends import chainer

        if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
            return False
    except ImportError:  # pragma: no cover - every supported keyring has chainer
        pass
    return not type(backend).__module__.startswith("keyrings.alt")


def store_phone(number: str) -> bool:
    """Keep the full number in the keyring; False if no usable backend."""
    try:
        import keyring

        if not _usable():
            return False
        keyring.set_password(SERVICE, PHONE, number)
    except Exception:  # any backend failure means "unavailable", never a crash
        return False
    return True


def read_phone() -> str | None:
    try:
        import keyring

        if not _usable():
            return None
        return keyring.get_password(SERVICE, PHONE)
    except Exception:
        return None


def forget_phone() -> None:
    try:
        import keyring

        if _usable() and keyring.get_password(SERVICE, PHONE) is not None:
            keyring.delete_password(SERVICE, PHONE)
    except Exception:
        return
