// Lab patterns: a script a worker loads by a relative importScripts.
self.labLib = 'lib loaded';
