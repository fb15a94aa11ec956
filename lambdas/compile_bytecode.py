"""Compile a Lambda asset's Python into bytecode for the interpreter that runs this script.

Lambda's /var/task is read-only, so a bundle without bytecode is compiled from source on every cold
start (about half of a handler's import, measured in `make bench`). This runs inside the runtime's
own Python: Pyodide at that version when bundling locally (stacks/constructs/bytecode.py), the
runtime's bundling image when bundling in Docker. Standard library only.

- The first-party package keeps its sources (readable tracebacks) and gets `__pycache__/*.pyc`
  checked by nothing (`UNCHECKED_HASH`): the asset is immutable, and zip extraction does not keep
  the source times a timestamp check would compare.
- Third-party packages are shipped as bytecode in place of their sources (`x.pyc` where `x.py` was,
  which Python imports without a source): the same size, so the asset stays under 15 MB.
- A file that does not compile for this Python is left as source (counted in the summary).

Usage: python compile_bytecode.py <asset dir> <first-party package>; prints a JSON summary.
"""

from __future__ import annotations

import json
import os
import py_compile
import sys


def compile_tree(root: str, first_party: str) -> dict[str, object]:
    kept_source = compiled_beside = replaced = 0
    failed: list[str] = []
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.endswith(".dist-info"))
        relative = os.path.relpath(directory, root)
        ours = relative.split(os.sep)[0] == first_party
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            source = os.path.join(directory, name)
            target = None if ours else source + "c"
            try:
                py_compile.compile(
                    source,
                    cfile=target,
                    doraise=True,
                    invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
                )
            except py_compile.PyCompileError:
                failed.append(os.path.relpath(source, root))
                kept_source += 1
                continue
            if ours:
                compiled_beside += 1
            else:
                os.remove(source)
                replaced += 1
    return {
        "python": f"{sys.version_info[0]}.{sys.version_info[1]}",
        "firstPartyCompiled": compiled_beside,
        "thirdPartyReplaced": replaced,
        "leftAsSource": kept_source,
        "failed": failed[:20],
    }


if __name__ == "__main__":
    print(json.dumps(compile_tree(sys.argv[1], sys.argv[2])))
