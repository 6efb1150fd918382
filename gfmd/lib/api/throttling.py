"""The anonymous API throttle, counted atomically.

DRF's own throttles read a list of timestamps from the cache, add one and write it back: two
requests at once both read the old list, and one of them is not counted. This one counts in
fixed windows with the cache's atomic `incr` (INCR in Redis), so every request counts whatever
the concurrency. With the cache away (gfmd.lib.resilient_cache) nothing is counted and nothing
refused."""

from __future__ import annotations

from rest_framework.throttling import AnonRateThrottle


class AnonCountingThrottle(AnonRateThrottle):
    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        self.window_end = (window + 1) * self.duration
        key = f"{self.key}:w{window}"
        self.cache.add(key, 0, self.duration + 1)
        try:
            count = self.cache.incr(key)
        except ValueError:  # the cache is unavailable, or the key expired in between
            return True
        if count > self.num_requests:
            return self.throttle_failure()
        return True

    def wait(self):
        return max(0.0, self.window_end - self.timer())
