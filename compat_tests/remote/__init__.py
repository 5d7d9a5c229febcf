"""Reading over the network: remote readers on archives served by nginx on 127.0.0.1 (docs/reference/remote.md).

- plan.py:         the remote cases (which archives, which read, which server fault), their ids;
- nginx.py:        Debian's nginx with a generated config, started and stopped by the suite; its access log;
- fault_server.py: the faults nginx cannot make, a small server of ours in front of nginx (standard library only);
- servers.py:      both servers for one pytest process, started on the first remote cell, stopped at its end;
- minimum.py:      the least a reader must fetch, from the archive's own end records and central directory;
- chunk.py:        the one-chunk read: its region and its truth, from the dataset the fixture was written from;
- cost.py:         what a cell cost (requests, bytes, against the minimum) and what the reader did on a fault;
- cell.py:         one remote cell, run through compat_tests.cells.run_cell with the archive's URL.
"""
