// Lab patterns: a module worker whose script throws at once.
throw new Error('module throws');
