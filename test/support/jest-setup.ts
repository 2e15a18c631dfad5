// Integration tests wait on a real network (a restart includes a Raft election): allow 3 minutes each.
jest.setTimeout(180_000);
