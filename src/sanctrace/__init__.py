"""sanctrace: trace how export-controlled goods reach sanctioned destinations.

Layers, in the direction data flows: ``sources`` -> ``store`` -> ``resolve`` -> ``analyze`` -> ``present``.
"""

__version__ = "0.1.0"
