"""Danish IBANs: validation for payee accounts, and obviously synthetic ones for the demo and tests."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DK_IBAN = re.compile(r"^DK\d{16}$")
SYNTHETIC_BANK = "0000"
"""Registration number 0000 belongs to no Danish bank, so a synthetic IBAN cannot reach a real account."""


def _checksum_ok(iban: str) -> bool:
    moved = iban[4:] + iban[:4]
    digits = "".join(str(int(ch, 36)) for ch in moved)
    return int(digits) % 97 == 1


def normalise_iban(value: str) -> str:
    """The IBAN without spaces in capitals; raises ValidationError when it is not a valid DK IBAN."""
    iban = re.sub(r"\s+", "", value or "").upper()
    if not DK_IBAN.match(iban) or not _checksum_ok(iban):
        raise ValidationError(_("Enter a valid Danish IBAN (DK followed by 16 digits)."))
    return iban


def synthetic_iban(number: int) -> str:
    """A checksum-valid DK IBAN in bank 0000, e.g. for demo doctors; `number` picks the account."""
    bban = f"{SYNTHETIC_BANK}{number % 10**10:010d}"
    remainder = int(bban + "132000") % 97  # "DK00" moved to the end, letters as numbers (D=13, K=20)
    return f"DK{98 - remainder:02d}{bban}"
