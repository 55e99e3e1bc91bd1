"""TOML reading on every supported Python: the standard tomllib from 3.11 on, tomli (the same parser, from which
tomllib was taken) on 3.10. Imported where a TOML file is read, not at start-up: few templates have one."""
from __future__ import annotations

import sys

if sys.version_info >= (3, 11):
    from tomllib import TOMLDecodeError, loads
else:
    from tomli import TOMLDecodeError, loads

__all__ = ["TOMLDecodeError", "loads"]
