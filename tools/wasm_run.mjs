// Host only (Node). Runs code on MicroPython WebAssembly (v1.27), the official npm port: reads
// {"code": ..., "files": {name: text}, "binary": {name: base64}} on stdin, writes the files into its in-memory
// filesystem, runs the code, prints its output. Exit 1 on a Python exception.
import { createRequire } from "module";
import { pathToFileURL } from "url";

// the package lives in node/node_modules beside this file (npm ci --prefix tools/node)
const where = createRequire(new URL("./node/", import.meta.url));
const { loadMicroPython } = await import(
  pathToFileURL(where.resolve("@micropython/micropython-webassembly-pyscript")).href);

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
