"""Load tiers and rate limits: one tenant cannot crowd out the others."""
