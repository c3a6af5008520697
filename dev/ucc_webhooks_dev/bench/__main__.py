"""`python -m ucc_webhooks_dev.bench`, what `make bench` runs."""

import argparse
import sys

from ucc_webhooks_dev.bench import command

parser = argparse.ArgumentParser(prog="python -m ucc_webhooks_dev.bench", description=(command.__doc__ or "").splitlines()[0])
command.configure(parser)
sys.exit(command.run(parser.parse_args()))
