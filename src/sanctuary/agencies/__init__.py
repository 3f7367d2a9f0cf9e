"""Who is asking: the agency registry (shipped as data, extended by a department's own files)."""

from sanctuary.agencies.registry import Agency, Registry, RegistryError, load_registry, normalize

__all__ = ["Agency", "Registry", "RegistryError", "load_registry", "normalize"]
