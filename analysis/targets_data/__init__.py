"""The validation targets (targets.toml): historical patterns the model's output is set against."""
