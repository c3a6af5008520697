"""Names and ids that the extension, the host manifest and the host must agree on."""

__all__ = ["CHROMIUM_EXTENSION_ID", "FIREFOX_EXTENSION_ID", "HOST_NAME", "MAX_FRAME_BYTES", "VERSION"]

VERSION = "0.1.0"

#: Native-messaging host name (lowercase, dots and underscores only, as browsers demand).
HOST_NAME = "org.uccwebhooks.host"

#: Derived from the public `key` in extension/manifest.json: sha256 of the DER key, first 32 hex
#: digits mapped 0-f -> a-p. Stable for every unpacked copy of the extension.
CHROMIUM_EXTENSION_ID = "amlncininjibhhckajeabpanpcfpeeig"

#: `browser_specific_settings.gecko.id` in extension/manifest.json.
FIREFOX_EXTENSION_ID = "ucc-webhooks@uccwebhooks.org"

#: Browsers cap host->browser messages at 1 MiB; we refuse the same size the other way.
MAX_FRAME_BYTES = 1024 * 1024
