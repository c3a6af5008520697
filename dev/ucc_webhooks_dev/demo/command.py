"""`make demo`: the whole product on this machine, three calls, narrated as they happen.

    python -m ucc_webhooks_dev.demo [--output DIR] [--headless] [--keep] [--lang de]

It starts, each in a throwaway temp dir: a phone system (Kamailio, SIP over WebSocket), a
softphone page standing in for the UCC web client (the lab's JsSIP page), a remote party (SIPp),
a CRM (`crm`), and Chromium with the extension and the host registered into its own
profile (`ucc-webhooks install --browser chromium --profile-dir DIR`, data under
`UCC_WEBHOOKS_HOME` in the temp dir: your own webhooks are never touched). Then an incoming
direct call, a queue call and an outgoing call are placed, answered and hung up; every call
state, every request the CRM receives and every tab that opens is printed. Screenshots of the
popup and of the opened CRM tab go to DIR (default `./demo-output/`). Everything it started is
stopped at the end, also on Ctrl-C or an error; exit code 0 on success, 1 on failure (with the
fix), 2 for an --output it cannot write, 130 when interrupted.

Modules of `ucc_webhooks_dev.demo`: this one is the command line; `script` the story, `watch`
follows a call, `console` prints, `crm` is the CRM, `browser` starts Chromium and takes the
screenshots, `preflight` checks the machine. The phone system, softphone, SIPp and the
host's throwaway home come from the lab (`ucc_webhooks_dev.lab`), which the e2e tests use too.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import tempfile
from pathlib import Path

__all__ = ["configure", "run"]


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", type=Path, default=Path("demo-output"), metavar="DIR",
                        help="where the screenshots go (default: ./demo-output/)")
    parser.add_argument("--headless", action="store_true",
                        help="no browser window, even where a display exists")
    parser.add_argument("--lang", default=None, metavar="LANG",
                        help="the browser's language, e.g. de (the popup's screenshots are named popup-de.png ...)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temp folder (logs, browser profile, host data) and print its path")


def run(args: argparse.Namespace) -> int:
    from ucc_webhooks_dev.demo.preflight import SETUP_HINT, missing_parts

    problems = missing_parts()
    if problems:
        print("the demo cannot start, this machine lacks:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        print(f"Fix: {SETUP_HINT}.", file=sys.stderr)
        return 1

    output = args.output.resolve()
    try:  # before anything starts: a wrong --output must not cost a whole run
        output.mkdir(parents=True, exist_ok=True)
        (output / ".write-test").write_bytes(b"")
        (output / ".write-test").unlink()
    except OSError as exc:
        print(f"the demo cannot write its screenshots to {output}: {exc.strerror or exc}", file=sys.stderr)
        print("Fix: name a folder you can write with `--output DIR`.", file=sys.stderr)
        return 2

    from ucc_webhooks_dev.demo.browser import display_available
    from ucc_webhooks_dev.demo.console import Console
    from ucc_webhooks_dev.demo.script import Demo

    console = Console()
    root = Path(tempfile.mkdtemp(prefix="ucc-webhooks-demo-"))
    headless = args.headless or not display_available()
    demo = Demo(console, root, output, headless, lang=getattr(args, "lang", None))
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    code = 1
    try:
        demo.run()
        code = 0
    except KeyboardInterrupt:
        console.flush()  # what happened up to here still gets printed
        console.say("\nInterrupted: stopping everything the demo started.")
        code = 130
    except Exception as exc:
        console.flush()
        console.say("")
        message = getattr(exc, "msg", None) or str(exc)  # Selenium's str() appends a native stack trace
        print(f"the demo failed while trying to {demo.step}:\n  {message}", file=sys.stderr)
        hint = demo.hint()
        print(f"Fix: {hint}.", file=sys.stderr)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        try:
            demo.stop()
        finally:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.signal(signal.SIGTERM, previous)
        if args.keep or code == 1:
            print(f"Logs, browser profile and host data kept in {root}", file=sys.stderr if code else sys.stdout)
        else:
            shutil.rmtree(root, ignore_errors=True)
    return code


def _raise_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
