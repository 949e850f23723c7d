"""Drivers without pytest: the batch runner, its JUnit XML, the fiscal-year diff."""
