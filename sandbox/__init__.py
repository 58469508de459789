"""Local fakes of 37signals' APIs for tests and benchmarks (Basecamp 2 for now).

    from sandbox import Sandbox
    with Sandbox(api="bc2", size="tiny", seed=0) as sb:
        ...  # sb.base_url, sb.credentials, sb.requests, sb.truth, sb.minimum_requests()
"""

from sandbox.bc2_data import SIZES, SizeSpec
from sandbox.credentials import Credentials
from sandbox.faults import FAULT_KINDS
from sandbox.harness import Sandbox

__all__ = ["FAULT_KINDS", "SIZES", "Credentials", "Sandbox", "SizeSpec"]
