"""Cost Explorer's request rate, as rules: the per-account budget and the backoff after throttling.

Pure (no boto3, no clock): the DAL's shared limiter (`outlay.dal.ce_rate_limiter`) and the Cost
Explorer adapter (`outlay.dal.cost_explorer`) apply these.

- AWS allows Cost Explorer 5 requests per second per calling account (the account whose credentials
  sign the request). Every Outlay worker and API function shares one counter per account and second,
  so the budget holds across processes, not just inside one.
- A throttled request (`ThrottlingException`, `LimitExceededException`, ...) is retried after a
  "full jitter" exponential delay: random in [0, min(cap, base * 2^attempt)], at most
  `THROTTLE_ATTEMPTS` attempts in all; each retry takes a new slot from the shared limiter.
"""

from __future__ import annotations

from collections.abc import Callable

CE_REQUESTS_PER_SECOND = 5
MAX_SLOT_WAIT_S = 60.0  # a caller waits at most this long for a slot, then the call fails as throttled
SLOT_JITTER_S = 0.05  # waiters for the next second start spread over this much
SLOT_TTL_S = 120  # a counter item lives this long (DynamoDB TTL removes it later)

THROTTLE_ATTEMPTS = 5  # first call + 4 retries
BACKOFF_BASE_S = 0.25
BACKOFF_CAP_S = 4.0


def backoff_delay(attempt: int, random: Callable[[], float]) -> float:
    """Seconds to wait before retry number `attempt` (0 = the first retry); `random()` in [0, 1)."""
    return random() * min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**attempt)


def slot_of(now_s: float) -> int:
    """The one-second window a call at `now_s` (epoch seconds) counts against."""
    return int(now_s)


def wait_for_next_slot(now_s: float, random: Callable[[], float]) -> float:
    """From `now_s` to the start of the next second, plus a little jitter so waiters spread out."""
    return (slot_of(now_s) + 1 - now_s) + random() * SLOT_JITTER_S
