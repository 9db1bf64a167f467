"""The mission file (`config.toml`): read and check it (`reader`), write it back (`writer`)."""
