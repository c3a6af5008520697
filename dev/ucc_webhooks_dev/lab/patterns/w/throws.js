// Lab patterns: a classic worker whose script throws at once.
throw new Error('probe throws');
