"""`python -m ucc_webhooks` is the same as the `ucc-webhooks` command."""

import sys

from .cli import main

sys.exit(main())
