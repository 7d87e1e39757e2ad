"""Helpers of tests/integration/test_services.py: a service, a driver, and the driven tests."""
