"""`python -m ucc_webhooks` is the same as the `ucc-webhooks` command."""

import sys

from ucc_webhooks.cli.main import main

sys.exit(main())
