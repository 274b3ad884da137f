import os

from hypothesis import HealthCheck, settings

# CI runs every property test, with fewer examples; locally the per-test settings rule.
settings.register_profile(
    "ci", max_examples=10, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "dev", deadline=None, suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
