// Host only (Node). Runs code on MicroPython WebAssembly (v1.27), the official npm port: reads
// {"code": ..., "files": {name: text}, "binary": {name: base64}} on stdin, writes the files into its in-memory
// filesystem, runs the code, prints its output. Exit 1 on a Python exception. Its argument is
// the npm package's entry file, found by wasm.py (source tree or the user's cache).
import { pathToFileURL } from "node:url";
const { loadMicroPython } = await import(pathToFileURL(process.argv[2]).href);

let input = "";
for await (const chunk of process.stdin) input += chunk;
const job = JSON.parse(input);
const mp = await loadMicroPython({ stdout: (line) => process.stdout.write(line + "\n") });
for (const [name, text] of Object.entries(job.files)) mp.FS.writeFile(name, text);
for (const [name, b64] of Object.entries(job.binary || {}))
  mp.FS.writeFile(name, Buffer.from(b64, "base64"));
try {
  mp.runPython(job.code);
} catch (e) {
  process.stdout.write(String(e) + "\n");
  process.exit(1);
}
