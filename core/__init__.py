"""The core every part of the suite imports, and which imports nothing of ours.

    core.outcomes   the outcome names of a cell, their order and which are loud
    core.canonical  value identity: canonical bytes and digests of array values (and of CF-decoded ones)
    core.cf         the independent CF decoding: masking, unpacking, times (docs/reference/cf-decoding.md)
    core.limits     the cell time limit rule, and a worker's memory cap
    core.processes  how a command is run in an environment (the variables every child gets)
    core.serve      the JSON-lines serve loop every worker runs (reader, shim, reference, benchmark floor)
    core.commands   how a command names itself (python -m <package>, or the hub's words)
    core.errors     how a reader's exception is said (an exception group with the exceptions inside)
    core.ziprecords the ZIP record layout, parsed in one place and bounded (end records, central directory,
                    local headers, extra fields, data descriptors)

Only the standard library and numpy (core.canonical, core.cf; cftime only
when core.cf decodes a time): every environment, reader workers included,
can import it.
"""

if not __name__.startswith("zipstore_compat."):   # imported by its short name from a checkout: the one module is zipstore_compat's
    import zipstore_compat

    zipstore_compat.one_name(__name__)

