"""`python -m ucc_webhooks_dev.demo`, what `make demo` runs."""

import argparse
import sys

from ucc_webhooks_dev.demo import command

parser = argparse.ArgumentParser(prog="python -m ucc_webhooks_dev.demo", description=(command.__doc__ or "").splitlines()[0])
command.configure(parser)
sys.exit(command.run(parser.parse_args()))
