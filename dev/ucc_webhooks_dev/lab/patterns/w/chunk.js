// Lab patterns: a "chunk" a worker loads from its automatic public path (as webpack does).
self.labChunk = 'chunk loaded';
