"""pytest plugin entry point (fixtures for driving a simulated host); filled by the harness."""
