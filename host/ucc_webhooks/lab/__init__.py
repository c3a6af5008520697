"""A telephony lab on 127.0.0.1 for tests, the demo and the benchmarks: a receiver that plays the
CRM, a SIP server (Kamailio), a remote party (SIPp), a softphone page (JsSIP) and a browser."""
