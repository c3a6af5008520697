"""Registering the host with browsers (`installer`, `manifest`, `browsers`) and checking every
link from browser to host (`doctor`, `probe`)."""
