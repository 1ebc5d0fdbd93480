"""HTTP on 127.0.0.1: health, readiness and Prometheus metrics (the dashboard builds on it)."""
