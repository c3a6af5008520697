"""The rules, without I/O: triggers and placeholders, the call event, webhooks, templates, the
values of one call, the request a webhook makes (`render`), signatures and the administrator's policy.
"""
