"""Local fakes of 37signals' APIs for tests and benchmarks (Basecamp 2, Basecamp 4, Backpack).

    from sandbox import Sandbox
    with Sandbox(api="bc2", size="tiny", seed=0) as sb:
        ...  # sb.base_url, sb.credentials, sb.requests, sb.truth, sb.minimum_requests()
    with Sandbox(api="backpack", size="tiny", seed=0) as sb:
        ...  # also sb.account, sb.wrong_scheme_url; sb.credentials.token is the API token
    with Sandbox(api="bc4", size="tiny", seed=0) as sb:
        ...  # also sb.launchpad_url, sb.expire_token(), sb.revoke(); OAuth in sb.credentials
    with HostileProxy(sb.origin) as proxy:  # a misbehaving proxy in front (sandbox.hostile)
        proxy.use(fail("/people.json", 503, times=1))  # then proxy.url_for(sb.base_url)
"""

from sandbox.backpack.faults import BACKPACK_FAULT_KINDS
from sandbox.backpack.sizes import SIZES as BACKPACK_SIZES
from sandbox.bc2.sizes import SIZES, SizeSpec
from sandbox.bc4.auth import Bc4Credentials
from sandbox.bc4.paging import DEFAULT_GEAR
from sandbox.bc4.sizes import SIZES as BC4_SIZES
from sandbox.credentials import Credentials
from sandbox.faults import FAULT_KINDS
from sandbox.foreign import ForeignServer
from sandbox.harness import Sandbox
from sandbox.hostile import HostileProxy, Rule

__all__ = [
    "BACKPACK_FAULT_KINDS", "BACKPACK_SIZES", "BC4_SIZES", "DEFAULT_GEAR", "FAULT_KINDS", "SIZES",
    "Bc4Credentials", "Credentials", "ForeignServer", "HostileProxy", "Rule", "Sandbox",
    "SizeSpec",
]
