"""Retroactive audit of vendor exports (ALPR search logs, sharing lists) for immigration enforcement."""

from sanctuary.retro.errors import RetroError
from sanctuary.retro.flags import CODES
from sanctuary.retro.orgs import Org, OrgResolver
from sanctuary.retro.partners import scan_partners
from sanctuary.retro.pipeline import ScanOptions, scan

__all__ = ["CODES", "Org", "OrgResolver", "RetroError", "ScanOptions", "scan", "scan_partners"]
