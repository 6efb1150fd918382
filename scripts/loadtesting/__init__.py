"""The parts of the load test (scripts/loadtest.py): the throwaway cluster, the site on it,
the clients, the outage and the report."""
