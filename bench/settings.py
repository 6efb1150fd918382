"""The project's settings for the benchmark servers, with one repair.

gfmd.settings gives the connection pool its own `check` and also turns CONN_HEALTH_CHECKS on,
for which Django 5.2 passes `check=` to psycopg_pool itself: the pool is then built with the
argument twice and the first query fails with "ConnectionPool() got multiple values for keyword
argument 'check'", so production settings (GFMD_DB_POOL on) cannot serve a page. Django's own
check is the same function, so dropping the duplicate changes nothing else. Once gfmd.settings
is repaired this module does nothing.
"""

from gfmd.settings import *  # noqa: F403
from gfmd.settings import DATABASES

for _database in DATABASES.values():
    _pool = _database.get("OPTIONS", {}).get("pool")
    if isinstance(_pool, dict) and _database.get("CONN_HEALTH_CHECKS"):
        _pool.pop("check", None)
