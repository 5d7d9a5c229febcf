"""The core every part of the suite imports, and which imports nothing of ours.

    core.outcomes   the outcome names of a cell, their order and which are loud
    core.canonical  value identity: canonical bytes and digests of array values
    core.limits     the cell time limit rule, and a worker's memory cap
    core.processes  how a command is run in an environment (the variables every child gets)
    core.ziprecords the ZIP record layout, parsed in one place and bounded (end records, central directory,
                    local headers, extra fields, data descriptors)

Only the standard library and numpy (core.canonical): every environment,
reader workers included, can import it.
"""
