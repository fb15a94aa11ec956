// Runs lambdas/compile_bytecode.py in Pyodide, CPython compiled to WebAssembly, so a machine without
// the Lambda runtime's Python (and without Docker) still ships bytecode for that Python.
// Usage: node bytecode_pyodide.mjs <asset dir> <first-party package> <python version, e.g. 3.14>
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadPyodide } from 'pyodide';

const [assetDir, firstParty, wanted] = process.argv.slice(2);
const script = readFileSync(new URL('../../lambdas/compile_bytecode.py', import.meta.url), 'utf8');
const pyodide = await loadPyodide();
const version = pyodide.runPython('import sys; f"{sys.version_info[0]}.{sys.version_info[1]}"');
if (version !== wanted) {
  console.error(`Pyodide runs Python ${version}, the Lambda runtime is Python ${wanted}: pin the pyodide `
    + `release for ${wanted} in package.json (its version starts ${wanted.replace('.', '')}.)`);
  process.exit(3);
}
pyodide.FS.mkdirTree('/asset');
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: resolve(assetDir) }, '/asset');
pyodide.globals.set('first_party', firstParty);
pyodide.runPython(script.replace(/\nif __name__ == "__main__":[\s\S]*$/, '\n'));
console.log(pyodide.runPython('import json; json.dumps(compile_tree("/asset", first_party))'));
