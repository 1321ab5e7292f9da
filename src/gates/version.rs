//! The version gate: the tag, the declared version, the release history, under PEP 440.
