"""Release artifacts: the extension as shipped (store zip, enterprise CRX), update manifest, policies."""
