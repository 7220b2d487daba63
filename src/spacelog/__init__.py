"""spacelog: query chronicles of spaceflight events (大事记)."""

__version__ = "0.1.0"
