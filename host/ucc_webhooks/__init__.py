"""UCC Webhooks: the native-messaging host that stores webhooks and delivers them.

Public surface (kept light so that starting the host stays fast; heavy modules load on use).
"""

from ucc_webhooks.constants import CHROMIUM_EXTENSION_ID, FIREFOX_EXTENSION_ID, HOST_NAME, VERSION

__all__ = ["CHROMIUM_EXTENSION_ID", "FIREFOX_EXTENSION_ID", "HOST_NAME", "VERSION"]
__version__ = VERSION
