"""Settings split by topic; `production` composes them, `test` sets test defaults first.

Every value that differs between machines comes from an environment variable (README, "Configuration").
"""
